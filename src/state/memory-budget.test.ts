import { describe, expect, it } from 'vitest';
import { InternalError } from '../errors.ts';
import { CacheNode, StateMemoryBudget } from './memory-budget.ts';

class Node extends CacheNode {
  readonly name: string;
  cached = true;
  constructor(name: string) {
    super();
    this.name = name;
  }
  evict(): void {
    this.cached = false;
  }
}

describe('StateMemoryBudget', () => {
  it('counts registered bytes and evicts the least recently used over the limit', () => {
    const b = new StateMemoryBudget(100);
    const [a, c, d, e] = ['a', 'c', 'd', 'e'].map((n) => new Node(n)) as [Node, Node, Node, Node];
    b.add(a, 40);
    b.add(c, 40);
    expect(b.used).toBe(80);
    expect(b.count).toBe(2);
    b.touch(a); // c is now the oldest
    b.add(d, 30);
    expect(c.cached).toBe(false);
    expect(a.cached && d.cached).toBe(true);
    expect(b.used).toBe(70);
    expect(b.evictions).toBe(1);
    expect(c.budgetSize).toBe(-1);
    b.remove(a);
    expect(b.used).toBe(30);
    b.remove(a); // no-op when not registered
    expect(b.used).toBe(30);
    b.add(e, 80); // over: the oldest (d) goes
    expect(d.cached).toBe(false);
    expect(e.cached).toBe(true);
    expect(b.used).toBe(80);
  });

  it('evicts even the newest node when it alone exceeds the limit', () => {
    const b = new StateMemoryBudget(10);
    const big = new Node('big');
    b.add(big, 11);
    expect(big.cached).toBe(false);
    expect(b.used).toBe(0);
    expect(b.count).toBe(0);
  });

  it('keeps LRU order through touches of head, tail and middle', () => {
    const b = new StateMemoryBudget(1000);
    const nodes = Array.from({ length: 5 }, (_, i) => new Node(String(i)));
    for (const n of nodes) b.add(n, 10);
    b.touch(nodes[4]!); // already newest
    b.touch(nodes[0]!); // oldest -> newest
    b.touch(nodes[2]!); // middle -> newest
    // order oldest..newest: 1 3 4 0 2; shrink by adding a node that forces evicting 3 of them
    const evicted: string[] = [];
    for (const n of nodes) {
      const orig = n.evict.bind(n);
      n.evict = () => {
        evicted.push(n.name);
        orig();
      };
    }
    b.add(new Node('x'), 980);
    expect(evicted).toEqual(['1', '3', '4']);
    b.add(new Node('y'), 10);
    expect(evicted).toEqual(['1', '3', '4', '0']);
  });

  it('rejects double registration and a negative limit', () => {
    const b = new StateMemoryBudget(100);
    const n = new Node('n');
    b.add(n, 1);
    expect(() => b.add(n, 1)).toThrow(InternalError);
    expect(() => new StateMemoryBudget(-1)).toThrow(InternalError);
    expect(b.fits(99)).toBe(true);
    expect(b.fits(100)).toBe(false);
  });

  it('resizes a registered node in place and evicts past the limit', () => {
    const b = new StateMemoryBudget(100);
    const [a, m, z] = [new Node('a'), new Node('m'), new Node('z')];
    b.add(a, 50);
    b.add(m, 30);
    b.add(z, 10);
    b.resize(a, 20);
    expect(b.used).toBe(60);
    expect(b.count).toBe(3);
    b.resize(new Node('unregistered'), 500);
    expect(b.used).toBe(60);
    // Growing m past the limit evicts the oldest (a, still first despite its resize), then m itself would be next.
    b.resize(m, 85);
    expect([a.cached, m.cached, z.cached]).toEqual([false, true, true]);
    expect(b.used).toBe(95);
    expect(() => b.resize(z, -1)).toThrow(InternalError);
    const deferred = new StateMemoryBudget(10, { deferred: true });
    const d = new Node('d');
    deferred.add(d, 5);
    deferred.resize(d, 50);
    expect(d.cached).toBe(true);
    deferred.trim();
    expect(d.cached).toBe(false);
    expect(deferred.used).toBe(0);
  });
});
