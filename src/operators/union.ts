/** UNION ALL: the inputs' chunks one input after the other, unchanged. Row kinds pass through. */
import type { ChunkStream } from '../dataflow/stream.ts';

export async function* unionOperator(inputs: readonly ChunkStream[]): ChunkStream {
  for (const input of inputs) yield* input;
}
