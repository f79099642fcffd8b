/**
 * The one entry point to zod. The app runs under a strict CSP without
 * 'unsafe-eval'; zod's JIT probes `new Function`, which the browser reports
 * as a CSP violation even though zod catches it. jitless skips the probe.
 * Import `z` from here, never from 'zod' directly.
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
