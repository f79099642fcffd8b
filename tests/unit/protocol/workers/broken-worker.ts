/** Test worker whose script fails while starting, like a worker bundle that cannot load. */
throw new Error('broken worker: failed to start');
