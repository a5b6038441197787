/** A client, or a function that builds one on first use (so cold starts that never need it skip it). */
export type ClientInput<C> = C | (() => C)

/** Returns a function that builds the value once, on first call. */
export function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined
  return () => {
    made ??= { value: make() }
    return made.value
  }
}

/** The given client, or one built lazily from `create`. */
export function lazyClient<C>(client: ClientInput<C> | undefined, create: () => C): () => C {
  if (typeof client === 'function') return lazy(client as () => C)
  if (client) return () => client
  return lazy(create)
}
