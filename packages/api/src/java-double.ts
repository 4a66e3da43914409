/**
 * Which schemaless numbers are Java `Double`s although their JavaScript value is a whole number.
 *
 * Without a schema, Java's JsonConverter reads a JSON number written with a fraction or exponent (`0.0`, `-4.0`,
 * `1E7`) as a `Double` and every other number as a `Long`; `Double`s are printed (by Jackson, by `toString`) as
 * Java's `Double.toString` does: `0.0`, `-4.0`, `1.0E7`. A JavaScript number cannot say which it was when its value
 * is whole, so the container (a plain object or an array) that holds it carries the keys (property names, or array
 * indices as numbers) of such values in a non-enumerable property: `Object.keys`, `JSON.stringify`, spreading and
 * `structuredClone` ignore it. A whole number stored under a marked key is written as a double; a value that is not
 * a number ignores the mark. Copies of a container do not keep its marks.
 */

/** The non-enumerable property of a container holding its set of double keys. */
export const DOUBLE_KEYS: unique symbol = Symbol.for('@kconnect/api.doubleKeys');

type Marked = { [DOUBLE_KEYS]?: Set<string | number> };

/** Marks `container[key]` (a property name, or an array index as a number) as a Java `Double`. */
export function markDouble(container: object, key: string | number): void {
  const marked = container as Marked;
  let keys = marked[DOUBLE_KEYS];
  if (keys === undefined) {
    keys = new Set();
    Object.defineProperty(container, DOUBLE_KEYS, { value: keys, enumerable: false, configurable: true, writable: false });
  }
  keys.add(key);
}

/** The double keys of a container, or undefined when it has none (the common case: one property lookup). */
export function doubleKeys(container: object): ReadonlySet<string | number> | undefined {
  return (container as Marked)[DOUBLE_KEYS];
}

/** Whether `container[key]` was marked as a Java `Double` (see {@link markDouble}). */
export function isDouble(container: object, key: string | number): boolean {
  return (container as Marked)[DOUBLE_KEYS]?.has(key) === true;
}
