/**
 * Sample texts written by the project (not MedFact items) so a clinician can
 * try the checker at once. Some are correct; the others hold exactly one
 * planted error, named here so tests and demos know what a good checker
 * should find.
 */
import type { ErrorType } from '../../core/labels';

export interface SampleText {
  id: string;
  title: { 'zh-CN': string; en: string };
  text: string;
  /** The planted error, or null for a correct text. */
  planted: { quote: string; type: ErrorType; medication: boolean; correction: string } | null;
}

export const SAMPLE_TEXTS: readonly SampleText[] = [
  {
    id: 'hypertension-correct',
    title: { 'zh-CN': '高血压诊断（无错误）', en: 'Hypertension diagnosis (correct)' },
    text:
      '高血压是以体循环动脉血压升高为主要特征的临床综合征。在未使用降压药物的情况下，非同日3次测量诊室血压，收缩压≥140 mmHg和（或）舒张压≥90 mmHg，可诊断为高血压。生活方式干预包括减少钠盐摄入、控制体重、戒烟限酒和规律运动。',
    planted: null,
  },
  {
    id: 'warfarin-antidote',
    title: { 'zh-CN': '华法林过量的拮抗（用药错误）', en: 'Warfarin reversal (medication error)' },
    text:
      '华法林是维生素K拮抗剂，用药期间应定期监测国际标准化比值（INR），多数适应证的目标INR为2.0～3.0。华法林过量引起出血时，可静脉注射鱼精蛋白拮抗其作用。',
    planted: { quote: '鱼精蛋白', type: 'conceptual', medication: true, correction: '维生素K1' },
  },
  {
    id: 'child-fever-aspirin',
    title: { 'zh-CN': '儿童退热用药（用药错误）', en: 'Fever in children (medication error)' },
    text:
      '儿童发热时应注意补充水分，体温超过38.5℃或明显不适时可使用退热药。儿童退热首选阿司匹林，两次用药应间隔4～6小时。',
    planted: { quote: '阿司匹林', type: 'conceptual', medication: true, correction: '对乙酰氨基酚或布洛芬' },
  },
  {
    id: 'hepb-vaccine-schedule',
    title: { 'zh-CN': '乙肝疫苗接种程序（时间错误）', en: 'Hepatitis B vaccine schedule (temporal error)' },
    text:
      '我国乙肝疫苗全程接种共3剂。新生儿应在出生后24小时内尽早接种第1剂，第2剂和第3剂分别在1月龄和12月龄时接种。',
    planted: { quote: '12月龄', type: 'temporal', medication: false, correction: '6月龄' },
  },
  {
    id: 'insulin-beta-cells',
    title: { 'zh-CN': '胰岛素的来源（术语错误）', en: 'Source of insulin (terminological error)' },
    text:
      '胰岛素由胰岛α细胞分泌，是体内唯一能降低血糖的激素。1型糖尿病患者胰岛素绝对缺乏，需要终身胰岛素治疗。',
    planted: { quote: '胰岛α细胞', type: 'terminological', medication: false, correction: '胰岛β细胞' },
  },
  {
    id: 'h-pylori-correct',
    title: { 'zh-CN': '幽门螺杆菌（无错误）', en: 'Helicobacter pylori (correct)' },
    text:
      '幽门螺杆菌感染是慢性胃炎和消化性溃疡的重要病因，也是胃癌的危险因素。尿素呼气试验是常用的无创检测方法，检测前应停用质子泵抑制剂至少2周。',
    planted: null,
  },
];
