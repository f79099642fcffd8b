/**
 * Keys named after a feature namespace (formulary, library, models) that the
 * shell or the checker, the first screen, also shows: they stay in the core
 * tables so the checker never waits for a feature's namespace
 * (src/i18n/catalog.ts).
 */
import { defineMessages } from '../define';

export const sharedMessages = defineMessages(
  {
    'nav.formulary': '处方集',
    'check.finding.rule': '处方集规则',
    'check.finding.rule.limit': '处方集限量',
    'check.finding.rule.found': '文中',
    'check.rulesOnly': '未加载模型：本次只应用了处方集规则。',
    'check.rulesOnly.hint': '未加载模型，将只应用处方集规则',
    'formulary.demo.label': '演示数据，不作临床依据',
    'library.doc.page': '第 {page} 页',
    'library.evidence.use': '以参考资料为依据核查',
    'library.evidence.docs': '（资料库：{count} 个文档）',
    'library.evidence.cited': '引用的依据',
    'library.evidence.none': '未找到依据',
    'library.evidence.none.hint': '这条发现没有引用参考资料，依据的是模型自身的知识。',
    'library.evidence.panel': '依据（检索到的参考资料段落，{count} 条）',
    'library.evidence.panel.empty': '资料库中没有与本文相关的段落。',
    'library.evidence.retrieval.lexical': '检索方式：关键词（BM25）',
    'library.evidence.retrieval.hybrid': '检索方式：关键词 + 语义向量融合（{model}，{vectors} 个段落已有向量）',
    'models.status.label': '模型状态',
    'models.status.none': '未安装模型',
    'models.status.installed': '已安装 {count} 个模型',
    'models.status.installing': '正在安装 {name}（{percent}%）',
    'models.status.partial': '{name} 下载未完成',
  },
  {
    'nav.formulary': 'Formulary',
    'check.finding.rule': 'Formulary rule (处方集规则)',
    'check.finding.rule.limit': 'Formulary limit',
    'check.finding.rule.found': 'text says',
    'check.rulesOnly': 'No model loaded: only the formulary rules were applied.',
    'check.rulesOnly.hint': 'no model loaded, only the formulary rules will be applied',
    'formulary.demo.label': 'Demo data, not for clinical use (演示数据，不作临床依据)',
    'library.doc.page': 'page {page}',
    'library.evidence.use': 'Check against the references',
    'library.evidence.docs': ' (library: {count} documents)',
    'library.evidence.cited': 'Cited evidence',
    'library.evidence.none': 'No evidence found',
    'library.evidence.none.hint': 'This finding cites no reference passage; it rests on the model’s own knowledge.',
    'library.evidence.panel': 'Evidence (retrieved reference passages, {count})',
    'library.evidence.panel.empty': 'No passage in the library relates to this text.',
    'library.evidence.retrieval.lexical': 'Retrieval: keywords (BM25)',
    'library.evidence.retrieval.hybrid': 'Retrieval: keywords fused with semantic vectors ({model}; {vectors} passages embedded)',
    'models.status.label': 'Model status',
    'models.status.none': 'No model installed',
    'models.status.installed': '{count} model(s) installed',
    'models.status.installing': 'Installing {name} ({percent}%)',
    'models.status.partial': '{name}: download incomplete',
  },
);
