/**
 * A sentence for every error code and a label for every remedy, so that any
 * MedfactError can be shown in both languages with what to do next.
 */
import type { ErrorCode, Remedy } from '../../protocol/errors';
import { defineMessages } from '../define';

type CodeKeys = { [C in ErrorCode as `error.${C}`]: string };
type RemedyKeys = { [R in Remedy as `remedy.${R}`]: string };
type ErrorKeys = keyof CodeKeys | keyof RemedyKeys;

const zh: Record<ErrorKeys, string> = {
  'error.ABORTED': '操作已取消。',
  'error.BAD_REQUEST': '应用内部请求格式错误。请重新加载；若仍出现，请报告此问题。',
  'error.UNKNOWN_METHOD': '模型引擎不认识该请求（版本不一致）。请重新加载应用。',
  'error.WORKER_CRASHED': '模型引擎意外停止。请重试；引擎会自动重启。',
  'error.WORKER_TIMEOUT': '模型引擎长时间没有响应。请重试，或换用更小的模型。',
  'error.MODEL_NOT_LOADED': '模型尚未加载。请稍候或在“模型”页重新加载。',
  'error.NO_WEBGPU': '此浏览器或显卡不支持 WebGPU。可改用 WASM（CPU）运行，速度较慢。',
  'error.NO_SHADER_F16': '显卡不支持 16 位着色器（shader-f16）。请改用 f32 版本的模型。',
  'error.DEVICE_LOST': '显卡连接丢失（驱动重置或内存不足）。请重新加载模型引擎。',
  'error.OUT_OF_MEMORY': '内存或显存不足。请换用更小的模型或关闭其他标签页。',
  'error.QUOTA_EXCEEDED': '本机存储空间不足。请删除不用的模型或历史记录后重试。',
  'error.NETWORK': '网络中断，下载未完成。可以继续下载，或删除未完成的文件。',
  'error.NOT_FOUND': '在配置的主机上找不到该文件。请检查部署配置中的模型主机。',
  'error.HASH_MISMATCH': '下载的文件校验失败。请删除后重新安装该模型。',
  'error.CORRUPT_CACHE': '已缓存的模型文件已损坏。请删除后重新安装该模型。',
  'error.DOWNLOAD_FORBIDDEN': '部署配置只允许从镜像下载，该地址不被允许。请联系 IT 检查 app-config.json。',
  'error.BAD_CONFIG': '部署配置有误。请联系 IT 检查 app-config.json。',
  'error.BAD_INPUT': '输入内容无法处理。请检查文本或文件格式后重试。',
  'error.PARSE_FAILED': '模型输出无法解析。请重试，或换用其他模型。',
  'error.STORAGE': '无法读写本机存储。请检查浏览器存储设置或释放空间。',
  'error.UNSUPPORTED': '此浏览器不支持该功能。请改用 WASM 后端或最新版 Chrome/Edge。',
  'error.INTERNAL': '发生内部错误。请重新加载；若仍出现，请报告此问题。',
  'error.AUTH': '推理服务器拒绝了访问（401/403）。请检查 API 密钥或联系 IT。',
  'error.RATE_LIMITED': '推理服务器繁忙（429），多次重试后仍被限流。请稍后重试或降低并发。',
  'error.SERVER_ERROR': '推理服务器出错（5xx），多次重试后仍失败。请稍后重试或联系 IT。',
  'error.TIMEOUT': '推理服务器长时间没有响应。请稍后重试，或调大超时时间。',
  'remedy.retry': '重试',
  'remedy.use-wasm': '改用 WASM（CPU）',
  'remedy.use-f32': '改用 f32 模型',
  'remedy.use-smaller-model': '换用更小的模型',
  'remedy.reload-engine': '重新加载引擎',
  'remedy.free-storage': '释放存储空间',
  'remedy.resume-or-remove': '继续下载或删除',
  'remedy.reinstall': '重新安装',
  'remedy.check-config': '检查部署配置',
  'remedy.fix-input': '修改输入',
  'remedy.report': '报告问题',
  'remedy.none': '',
};

const en: Record<ErrorKeys, string> = {
  'error.ABORTED': 'The operation was cancelled.',
  'error.BAD_REQUEST': 'An internal request was malformed. Reload the app; if it happens again, please report it.',
  'error.UNKNOWN_METHOD': 'The model engine did not recognise the request (version mismatch). Reload the app.',
  'error.WORKER_CRASHED': 'The model engine stopped unexpectedly. Try again; it restarts by itself.',
  'error.WORKER_TIMEOUT': 'The model engine did not answer in time. Try again, or use a smaller model.',
  'error.MODEL_NOT_LOADED': 'The model is not loaded yet. Wait a moment or reload it on the Models page.',
  'error.NO_WEBGPU': 'This browser or GPU does not support WebGPU. Use WASM (CPU) instead; it is slower.',
  'error.NO_SHADER_F16': 'The GPU lacks 16-bit shaders (shader-f16). Use an f32 build of the model.',
  'error.DEVICE_LOST': 'The GPU was lost (driver reset or out of memory). Reload the model engine.',
  'error.OUT_OF_MEMORY': 'Not enough memory. Use a smaller model or close other tabs.',
  'error.QUOTA_EXCEEDED': 'Storage on this device is full. Remove unused models or history, then try again.',
  'error.NETWORK': 'The network dropped and the download is incomplete. Resume it, or remove the partial files.',
  'error.NOT_FOUND': 'The file was not found on the configured host. Check the model host in the deployment configuration.',
  'error.HASH_MISMATCH': 'A downloaded file failed its checksum. Remove the model and install it again.',
  'error.CORRUPT_CACHE': 'Cached model files are damaged. Remove the model and install it again.',
  'error.DOWNLOAD_FORBIDDEN': 'The deployment allows downloads only from its mirror, and this address is not allowed. Ask IT to check app-config.json.',
  'error.BAD_CONFIG': 'The deployment configuration is wrong. Ask IT to check app-config.json.',
  'error.BAD_INPUT': 'The input could not be processed. Check the text or file format and try again.',
  'error.PARSE_FAILED': "The model's output could not be parsed. Try again, or use another model.",
  'error.STORAGE': "Could not read or write this device's storage. Check the browser's storage settings or free some space.",
  'error.UNSUPPORTED': 'This browser does not support this feature. Use the WASM backend or a current Chrome/Edge.',
  'error.INTERNAL': 'An internal error occurred. Reload the app; if it happens again, please report it.',
  'error.AUTH': 'The inference server refused access (401/403). Check the API key or ask IT.',
  'error.RATE_LIMITED': 'The inference server is rate-limiting (429) and kept refusing after retries. Try again later or lower the concurrency.',
  'error.SERVER_ERROR': 'The inference server failed (5xx) on every retry. Try again later or ask IT.',
  'error.TIMEOUT': 'The inference server did not answer in time. Try again later, or raise the timeout.',
  'remedy.retry': 'Try again',
  'remedy.use-wasm': 'Use WASM (CPU)',
  'remedy.use-f32': 'Use an f32 model',
  'remedy.use-smaller-model': 'Use a smaller model',
  'remedy.reload-engine': 'Reload the engine',
  'remedy.free-storage': 'Free storage',
  'remedy.resume-or-remove': 'Resume or remove',
  'remedy.reinstall': 'Reinstall',
  'remedy.check-config': 'Check the configuration',
  'remedy.fix-input': 'Edit the input',
  'remedy.report': 'Report the problem',
  'remedy.none': '',
};

export const errorMessages = defineMessages<ErrorKeys>(zh, en);
