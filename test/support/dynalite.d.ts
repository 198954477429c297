/** The part of dynalite (a DynamoDB-compatible server, in memory) the tests use; it ships no types. */
declare module 'dynalite' {
  import type { Server } from 'node:http';

  export interface DynaliteOptions {
    /** How long a new table stays CREATING (ms). */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    /** A folder for a persistent database; in memory when absent. */
    path?: string;
  }

  export default function dynalite(options?: DynaliteOptions): Server;
}
