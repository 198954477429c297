/**
 * The axios settings both HTTP clients (QRS and the InfluxDB writer) share: no proxy, no
 * redirects, the body as text (parsed by the caller, so a truncated body is a clear error), every
 * status returned to the caller to judge, and a bound on the answer's size.
 */
import type http from 'node:http';
import type https from 'node:https';
import axios, { type AxiosInstance } from 'axios';

export interface TextClientOptions {
  baseURL: string;
  agent: http.Agent | https.Agent;
  secure: boolean;
  maxResponseBytes: number;
}

export function createTextClient(options: TextClientOptions): AxiosInstance {
  return axios.create({
    baseURL: options.baseURL,
    ...(options.secure ? { httpsAgent: options.agent } : { httpAgent: options.agent }),
    proxy: false,
    maxRedirects: 0,
    maxContentLength: options.maxResponseBytes,
    maxBodyLength: Number.POSITIVE_INFINITY,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
  });
}
