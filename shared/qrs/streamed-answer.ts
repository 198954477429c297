/** A streamed answer read inside its attempt (transport.ts), so the attempt's deadline covers it. */
import type { Readable } from 'node:stream';
import type { AxiosResponse } from 'axios';

/**
 * Reads a streamed 2xx body with `readBody`; any other answer's body is kept as text (at most
 * 4 kB: enough for the advice, statusHint in advice.ts) so it is judged like a buffered one.
 */
export async function streamedAnswer(
  response: AxiosResponse<unknown>,
  readBody: (body: Readable) => Promise<void>,
): Promise<AxiosResponse<string>> {
  const body = response.data as Readable;
  if (response.status >= 200 && response.status < 300) {
    try {
      await readBody(body);
    } finally {
      body.destroy();
    }
    return { ...response, data: '' };
  }
  let text = '';
  for await (const chunk of body) {
    text += String(chunk);
    if (text.length >= 4096) break;
  }
  body.destroy();
  return { ...response, data: text.slice(0, 4096) };
}
