// The JSON records TypeScript hands the database functions are declared twice, necessarily: as a
// TypeScript interface with its key list here, and as a json_to_recordset column list in
// prisma/functions/*.sql. test/db/functions.test.ts keeps the two lists equal; this keeps each
// key list equal to its interface's keys, at compile time.

/** `allKeys<T>()([...])`: the list, accepted only if it names every key of T, and nothing else. */
export function allKeys<T>() {
  return <const K extends ReadonlyArray<keyof T>>(keys: K & ([keyof T] extends [K[number]] ? unknown : never)): K => keys;
}
