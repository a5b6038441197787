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

/** The scopes the development IdPs offer and the claims each releases. */
export const DEMO_SCOPES = ['openid', 'email', 'profile']
export const DEMO_SCOPE_CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name'],
}

/** oidc-provider's `findAccount` over `users`: the claims of DEMO_SCOPE_CLAIMS. */
export function findDemoAccount(users: readonly DemoUser[]) {
  return (_ctx: unknown, sub: string) => {
    const user = userBySub(users, sub)
    if (!user) return undefined
    return {
      accountId: sub,
      claims: () => ({
        sub,
        email: user.email,
        email_verified: true,
        name: `${user.givenName} ${user.familyName}`,
        given_name: user.givenName,
        family_name: user.familyName,
      }),
    }
  }
}
