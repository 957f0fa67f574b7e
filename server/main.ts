/**
 * Production entry point: `npm run serve`. Everything comes from the environment
 * (see README); a bad setting stops the server with one line.
 */
import { startApp } from './app';
import { ConfigError, loadConfig } from './config';

try {
  const config = loadConfig();
  const app = await startApp(config);
  const stop = async () => {
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`stripe-cart listening on ${app.url} (public URL ${app.services.config.publicUrl})`);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`stripe-cart: ${error.message}`);
    process.exit(78);
  }
  throw error;
}
