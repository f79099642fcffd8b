/**
 * The References screen's strings (namespace `library.*`): Chinese first,
 * English with exactly the same keys. A lazily loaded namespace
 * (src/i18n/catalog.ts): components read it through useT('library'); the
 * keys the checker shows are core (src/i18n/messages/shared.ts).
 */
import { defineMessages } from './define';

export const libraryMessages = defineMessages(
  {
    'library.title': '参考资料',
    'library.privacy': '参考资料只保存在本设备的浏览器中，不会上传。核查时可引用其中的段落作为依据。',
    'library.import.title': '导入资料',
    'library.import.files': '选择文件',
    'library.import.folder': '选择文件夹',
    'library.import.drop': '或将文件、文件夹拖放到此处',
    'library.import.accepts': '支持 .txt、.md、.html、.pdf、.docx，以及段落文件 .jsonl/.csv（列：id、title、text、source、url、page）；单个文件不超过 200 MB。',
    'library.import.busy': '正在导入 {done}/{total}…',
    'library.import.summary': '已添加 {added} 个，重复跳过 {duplicates} 个，失败 {failed} 个。',
    'library.import.added': '已添加：{title}（{passages} 个段落）',
    'library.import.duplicate': '{file} 与已有的“{title}”内容相同，已跳过。',
    'library.search.label': '搜索参考资料',
    'library.search.placeholder': '例如：华法林 INR 目标',
    'library.search.none': '没有匹配的段落。',
    'library.docs.title': '文档（{count}）',
    'library.docs.empty': '资料库为空。导入药品说明书、指南或教材后，核查时即可引用。',
    'library.doc.meta': '{file} · {kind} · {passages} 个段落{pages} · 导入于 {date}',
    'library.doc.pages': ' · {count} 页',
    'library.doc.view': '查看',
    'library.doc.delete': '删除',
    'library.doc.delete.label': '删除“{title}”',
    'library.doc.deleted': '已删除“{title}”及其段落。',
    'library.view.back': '返回列表',
    'library.view.missing': '找不到该文档，可能已被删除。',
    'library.error': '参考资料库出错：{message}',
  },
  {
    'library.title': 'References',
    'library.privacy': 'References are stored only in this browser on this device and never uploaded. Checks can cite their passages as evidence.',
    'library.import.title': 'Import',
    'library.import.files': 'Choose files',
    'library.import.folder': 'Choose a folder',
    'library.import.drop': 'or drop files and folders here',
    'library.import.accepts': 'Accepts .txt, .md, .html, .pdf, .docx, and passages files .jsonl/.csv (columns id, title, text, source, url, page); at most 200 MB a file.',
    'library.import.busy': 'Importing {done}/{total}…',
    'library.import.summary': '{added} added, {duplicates} duplicates skipped, {failed} failed.',
    'library.import.added': 'Added: {title} ({passages} passages)',
    'library.import.duplicate': '{file} has the same content as “{title}”, already in the library; skipped.',
    'library.search.label': 'Search the references',
    'library.search.placeholder': 'e.g. warfarin INR target',
    'library.search.none': 'No matching passage.',
    'library.docs.title': 'Documents ({count})',
    'library.docs.empty': 'The library is empty. Import drug inserts, guidelines or textbooks so checks can cite them.',
    'library.doc.meta': '{file} · {kind} · {passages} passages{pages} · imported {date}',
    'library.doc.pages': ' · {count} pages',
    'library.doc.view': 'View',
    'library.doc.delete': 'Delete',
    'library.doc.delete.label': 'Delete “{title}”',
    'library.doc.deleted': 'Deleted “{title}” and its passages.',
    'library.view.back': 'Back to the list',
    'library.view.missing': 'This document is not in the library (deleted?).',
    'library.error': 'Reference library error: {message}',
  },
);

export type LibraryMessageKey = keyof (typeof libraryMessages)['zh-CN'];
