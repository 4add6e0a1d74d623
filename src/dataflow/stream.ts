/**
 * The pull protocol of the bounded runtime: every operator is an
 * AsyncIterable of chunks over its inputs' iterables. A consumer that stops
 * early (LIMIT, EXISTS) calls `return()` on its input, which closes the chain
 * down to the source. One promise per chunk, never one per row.
 */
import type { Chunk } from './chunk.ts';

export type ChunkStream = AsyncIterable<Chunk>;

/** A compiled plan: each call starts a fresh, independent run. */
export type StreamFactory = () => ChunkStream;
