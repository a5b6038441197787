/**
 * The signing key's key policy. Without one, KMS applies its default policy, which lets every
 * IAM principal of the account with a matching IAM policy use the key. Here the account root
 * administers the key (so it can never become unmanageable), and only the roles of the functions
 * that sign (the one serving /token; /authorize's too with PAR) may sign with it and read its
 * public half. A decryption key's policy names the token function's role alone.
 */
import * as pulumi from '@pulumi/pulumi'
import { KMS_ACTIONS } from './policies.js'

/**
 * KMS administration actions, without any use of the key: no kms:Sign, and no kms:Get* (which
 * would include kms:GetPublicKey).
 */
export const KMS_ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
] as const

export function kmsKeyPolicy(args: {
  partition: pulumi.Input<string>
  accountId: pulumi.Input<string>
  /** The roles that use the key (one, or the authorize role too when it signs PAR requests). */
  signerRoleArn: pulumi.Input<string> | pulumi.Input<string>[]
  /** What they may do. Default: sign and read the public key (KMS_ACTIONS). */
  actions?: readonly string[]
  /** The statement's Sid. */
  sid?: string
}): pulumi.Output<string> {
  const root = pulumi.interpolate`arn:${args.partition}:iam::${args.accountId}:root`
  return pulumi.jsonStringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AccountRootAdministers',
        Effect: 'Allow',
        Principal: { AWS: root },
        Action: [...KMS_ADMIN_ACTIONS],
        Resource: '*',
      },
      {
        Sid: args.sid ?? 'TokenFunctionSigns',
        Effect: 'Allow',
        Principal: { AWS: args.signerRoleArn },
        Action: [...(args.actions ?? KMS_ACTIONS)],
        Resource: '*',
      },
    ],
  })
}
