/**
 * Sends requests at a steady rate, one every 1/rate seconds, over at most `connections`
 * keep-alive connections, and times each from when it was due (not from when a connection
 * was free), so a server that falls behind shows it in the latencies. autocannon's
 * `overallRate` sends each second's requests in a burst, which measures its own queueing.
 */
import http from 'node:http';
import { type LoadSummary, summarise } from './load-report';

interface PacedRequest {
  body: string;
  headers: Record<string, string>;
}

export interface PacedOptions {
  url: string;
  path: string;
  rate: number;
  connections: number;
  requests: PacedRequest[];
  onResponse(status: number, body: string): void;
}

export async function paced(options: PacedOptions): Promise<LoadSummary> {
  const { requests, rate } = options;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const target = new URL(options.path, options.url);
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  const send = (request: PacedRequest, due: number) =>
    new Promise<void>((resolve) => {
      const req = http.request(
        target,
        { method: 'POST', agent, headers: request.headers, timeout: 10_000 },
        (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => {
            latencies.push(performance.now() - due);
            const status = res.statusCode ?? 0;
            statusCodes[status] = (statusCodes[status] ?? 0) + 1;
            options.onResponse(status, body);
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(request.body);
    });

  const cpu = process.cpuUsage();
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < requests.length; ) {
    const now = performance.now();
    // Everything due by now goes out; the timer's granularity only delays the send, and the latency counts it.
    for (; i < requests.length && started + (i * 1000) / rate <= now; i++) {
      inFlight.push(send(requests[i]!, started + (i * 1000) / rate));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return summarise({ latencies, statusCodes, seconds, errors, timeouts: 0, cpu });
}
