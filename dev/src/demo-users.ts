/**
 * The development IdP's accounts. The password is printed at start and shown on the login page:
 * these accounts exist only in the local run.
 */
export interface DemoUser {
  username: string
  password: string
  /** The `sub` the IdP issues. */
  sub: string
  email: string
  givenName: string
  familyName: string
}

export const DEMO_USERS: readonly DemoUser[] = [
  {
    username: 'demo',
    password: 'demo-password',
    sub: 'demo-0001',
    email: 'demo@example.com',
    givenName: 'Dee',
    familyName: 'Mo',
  },
]

export function findUser(users: readonly DemoUser[], username: string): DemoUser | undefined {
  return users.find((user) => user.username === username)
}

export function userBySub(users: readonly DemoUser[], sub: string): DemoUser | undefined {
  return users.find((user) => user.sub === sub)
}
