/** The model session: which models are loaded for checking. */
import { defineMessages } from '../define';

export const sessionMessages = defineMessages(
  {
    'session.label': '已加载的模型',
    'session.role.verifier': '核查模型',
    'session.role.reward': '评分模型',
    'session.role.embedder': '检索向量模型',
    'session.none': '未加载',
    'session.loading': '正在加载 {model}（{percent}%）',
    'session.ready': '{model} 已就绪（{device}）',
    'session.error': '{model} 加载失败：{message}',
    'session.retry': '重试加载',
    'session.key.label': '{label} 的 API 密钥（只保存在本次会话的内存中）',
    'session.key.apply': '连接',
    'nav.selftest': '硬件自检',
  },
  {
    'session.label': 'Loaded models',
    'session.role.verifier': 'Verifier',
    'session.role.reward': 'Reward',
    'session.role.embedder': 'Embedder',
    'session.none': 'not loaded',
    'session.loading': 'Loading {model} ({percent}%)',
    'session.ready': '{model} ready ({device})',
    'session.error': '{model} failed to load: {message}',
    'session.retry': 'Retry loading',
    'session.key.label': 'API key for {label} (kept in memory for this session only)',
    'session.key.apply': 'Connect',
    'nav.selftest': 'Hardware self-test',
  },
);
