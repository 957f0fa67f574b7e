/**
 * The checkout flow and the exactly-once suite again, with the embedded store's appends
 * committed on the request thread (SQLITE_WRITER_THREAD=false) rather than by its writer
 * thread, the default.
 */
process.env.TEST_SQLITE_WRITER_THREAD = 'false';

await import('./checkout.flow.test');
await import('./exactly-once.test');

export {};
