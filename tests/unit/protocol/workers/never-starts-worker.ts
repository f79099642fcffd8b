/** Test worker whose start-up never finishes: its event loop blocks before it serves anything. */
for (;;) {
  // stuck while starting
}
