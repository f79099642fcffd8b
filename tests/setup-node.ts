// Real IndexedDB semantics in Node tests.
import 'fake-indexeddb/auto';
import { configure } from '@testing-library/dom';

// waitFor/findBy wait for what the user would see, not for a speed: testing-library's default
// 1 s gives up on a busy 2-core machine (CI runs beside other work). A wait only costs time when
// the expected state never comes, and then the test fails anyway.
configure({ asyncUtilTimeout: 30_000 });
