/**
 * What the two development IdPs (dev-idp.ts, fapi-idp.ts) share: the provider's signing key and
 * cookie keys, and the interaction pages (login, and consent where the IdP asks for it) with
 * their routes. Local use only.
 */
import express from 'express'
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
import type Provider from 'oidc-provider'
import { type DemoUser, findUser } from './demo-users.js'
import { escapeHtml, page } from './html.js'

/** How an IdP's pages look: the banner line and its colour. */
export interface IdpLook {
  banner: string
  colour: string
}

export interface InteractionOptions {
  users: readonly DemoUser[]
  look: IdpLook
  /** The `acr` the login records (the dev IdP's required `acr_values`). */
  acr?: string | undefined
  /** Show a consent page when oidc-provider asks for consent. Off: the IdP grants on its own. */
  consent: boolean
}

/** The provider's own signing key (kid = RFC 7638 thumbprint). */
export async function idpSigningKey(alg: 'RS256' | 'ES256') {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  const jwk = await exportJWK(privateKey)
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg, use: 'sig' }
}

/** A random cookie-signing key. */
export function randomKey(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
}

/**
 * The login (and consent) pages as form posts, so that a test can drive them with fetch and
 * cookies as well as a browser (oidc-provider's own dev pages accept any password).
 */
export function mountInteractions(
  app: express.Express,
  provider: Provider,
  options: InteractionOptions,
): void {
  const { users, look, acr } = options
  const form = express.urlencoded({ extended: false, limit: '4kb' })

  app.get('/interaction/:uid', async (req, res) => {
    const details = await provider.interactionDetails(req, res)
    res.set('cache-control', 'no-store')
    if (details.prompt.name === 'login' || !options.consent) {
      res.type('html').send(loginPage(look, details.uid, users))
    } else {
      const scopes = String(details.params.scope ?? '').split(' ')
      res
        .type('html')
        .send(consentPage(look, details.uid, String(details.params.client_id), scopes))
    }
  })

  app.post('/interaction/:uid/login', form, async (req, res) => {
    const details = await provider.interactionDetails(req, res)
    const body = (req.body ?? {}) as Record<string, string | undefined>
    const user = findUser(users, body.username ?? '')
    if (details.prompt.name !== 'login' || !user || user.password !== body.password) {
      res
        .status(401)
        .type('html')
        .send(loginPage(look, details.uid, users, 'Wrong username or password.'))
      return
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.sub, ...(acr ? { acr } : {}) } },
      { mergeWithLastSubmission: false },
    )
  })

  if (options.consent) {
    app.post('/interaction/:uid/consent', form, async (req, res) => {
      const { prompt, params, session, grantId } = await provider.interactionDetails(req, res)
      const body = (req.body ?? {}) as Record<string, string | undefined>
      if (body.decision !== 'allow' || prompt.name !== 'consent' || !session) {
        await provider.interactionFinished(req, res, {
          error: 'access_denied',
          error_description: 'the user denied the request',
        })
        return
      }
      const grant = grantId
        ? await provider.Grant.find(grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: String(params.client_id) })
      if (!grant) throw new Error('grant not found')
      const details = prompt.details as {
        missingOIDCScope?: string[]
        missingOIDCClaims?: string[]
      }
      if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '))
      if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims)
      const saved = await grant.save()
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId: saved } },
        { mergeWithLastSubmission: true },
      )
    })
  }

  // Expired or unknown interactions (SessionNotFound) and the like: a short page, no stack.
  app.use(
    '/interaction',
    (error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res
        .status(400)
        .type('html')
        .send(
          idpPage(
            look,
            'Sign-in failed',
            `<p class="error" id="error">${escapeHtml(error.message)}</p>`,
          ),
        )
    },
  )
}

function idpPage(look: IdpLook, title: string, body: string): string {
  return page({ title, banner: look.banner, colour: look.colour, body })
}

function loginPage(look: IdpLook, uid: string, users: readonly DemoUser[], error?: string): string {
  const hint = users[0]
    ? `Demo user: <code>${escapeHtml(users[0].username)}</code> / <code>${escapeHtml(users[0].password)}</code>`
    : ''
  return idpPage(
    look,
    'Sign in',
    `<h1>Sign in</h1>
${error ? `<p class="error" id="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
  <label for="username">Username</label>
  <input id="username" name="username" required autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required>
  <div><button id="login" type="submit">Sign in</button></div>
</form>
<p class="hint">${hint}</p>`,
  )
}

function consentPage(look: IdpLook, uid: string, clientId: string, scopes: string[]): string {
  const items = scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join('')
  return idpPage(
    look,
    'Allow access',
    `<h1>Allow access?</h1>
<p><code>${escapeHtml(clientId)}</code> asks for:</p>
<ul>${items}</ul>
<form method="post" action="/interaction/${escapeHtml(uid)}/consent">
  <button id="allow" name="decision" value="allow" type="submit">Allow</button>
  <button id="deny" name="decision" value="deny" type="submit">Deny</button>
</form>`,
  )
}
