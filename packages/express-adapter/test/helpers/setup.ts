/**
 * uvu swallows an error thrown in a `before` hook (the suite then "passes" with 0 tests run).
 * This runs the setup in `before` and rethrows its error in every test, so a missing
 * redis-server (or any setup failure) fails each test loudly instead.
 */
import type { Test } from 'uvu'

export function setUp(test: Test, setup: () => Promise<void>): void {
  let failure: unknown
  test.before(async () => {
    try {
      await setup()
    } catch (error) {
      failure = error
    }
  })
  test.before.each(() => {
    if (failure) throw failure
  })
}
