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

/** A client, or a function that builds one (at once or asynchronously, e.g. importing the SDK). */
export type AsyncClientInput<C> = C | (() => C | Promise<C>)

/**
 * The given client, or one built on first call by `create` (which imports its SDK module, so a
 * function that never calls the service never evaluates it). Shared by every caller; a failed
 * build is not kept, the next call tries again.
 */
export function lazyAsyncClient<C>(
  client: AsyncClientInput<C> | undefined,
  create: () => Promise<C>,
): () => Promise<C> {
  if (client !== undefined && typeof client !== 'function') {
    const given = Promise.resolve(client)
    return () => given
  }
  const make = client === undefined ? create : async () => (client as () => C | Promise<C>)()
  let made: Promise<C> | undefined
  return () => {
    made ??= make().catch((error: unknown) => {
      made = undefined
      throw error
    })
    return made
  }
}
