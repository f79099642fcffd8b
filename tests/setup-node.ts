// Real IndexedDB semantics in Node tests.
import 'fake-indexeddb/auto';
