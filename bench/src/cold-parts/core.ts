// Cold-start part: core alone (what a Lambda function needs without any AWS SDK client).
import { createProxy, createSealedStore, optionsFromEnv } from '@idp-proxy/core'

export const handler = { createProxy, createSealedStore, optionsFromEnv }
