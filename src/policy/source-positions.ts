/**
 * Maps a path inside a parsed policy (['purposes', 3, 'lawful_basis']) back to a line and column
 * of the YAML source, so every problem points at the text a privacy officer has to change.
 */
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** One-based line and column. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** A segment of a path into the document: a map key or a sequence index. */
export type PathSegment = string | number;

export interface SourceLocator {
  /**
   * The position of the value at `path`. When the path goes deeper than the document (a missing
   * key), the position of the deepest node that exists, which is where the key should be added.
   */
  positionOf(path: readonly PathSegment[]): SourcePosition;
  /** The position of the key `key` of the map at `path` (an unknown key), else of the map. */
  positionOfKey(path: readonly PathSegment[], key: string): SourcePosition;
}

interface Located {
  node: Node | null;
  /** The key node of the last map entry walked through, for values that are empty. */
  keyNode: Node | null;
}

function childOf(node: Node, segment: PathSegment): Located | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key;
      if (isScalar(key) && String(key.value) === String(segment)) {
        return {
          node: (pair.value as Node | null) ?? null,
          keyNode: key,
        };
      }
    }
    return undefined;
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { node: item as Node | null, keyNode: null };
  }
  return undefined;
}

export function createSourceLocator(document: Document, lineCounter: LineCounter): SourceLocator {
  const fallback: SourcePosition = { line: 1, column: 1 };

  function toPosition(node: Node | null): SourcePosition | undefined {
    const offset = node?.range?.[0];
    if (offset === undefined) {
      return undefined;
    }
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  }

  /** Walks as deep as the document goes; returns the deepest node found and the last key. */
  function walk(path: readonly PathSegment[]): { deepest: Located; complete: boolean } {
    const root = document.contents;
    let current: Located = { node: root, keyNode: null };
    for (const segment of path) {
      const next = current.node === null ? undefined : childOf(current.node, segment);
      if (next === undefined) {
        return { deepest: current, complete: false };
      }
      current = next;
    }
    return { deepest: current, complete: true };
  }

  function positionOfLocated(located: Located): SourcePosition {
    return toPosition(located.node) ?? toPosition(located.keyNode) ?? fallback;
  }

  return {
    positionOf(path) {
      return positionOfLocated(walk(path).deepest);
    },
    positionOfKey(path, key) {
      const { deepest, complete } = walk(path);
      if (complete && deepest.node !== null) {
        const entry = childOf(deepest.node, key);
        if (entry?.keyNode) {
          return toPosition(entry.keyNode) ?? positionOfLocated(deepest);
        }
      }
      return positionOfLocated(deepest);
    },
  };
}
