/**
 * The checkout flow and the exactly-once suite again, with the embedded store's appends
 * committed by its writer thread (SQLITE_WRITER_THREAD=true).
 */
process.env.TEST_SQLITE_WRITER_THREAD = 'true';

await import('./checkout.flow.test');
await import('./exactly-once.test');

export {};
