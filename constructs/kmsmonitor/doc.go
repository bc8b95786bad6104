// Package kmsmonitor provides AWS CDK constructs that watch AWS KMS keys and
// tell you (and protect you) before a key you still need is deleted or
// expires.
//
//   - PendingDeletionAlarm: a CloudTrail trail delivers to CloudWatch Logs; a
//     metric filter counts cryptographic calls that fail because the key is
//     pending deletion (and, by default, because it is disabled) and an alarm
//     notifies an encrypted SNS topic.
//   - KeyMaterialExpiryAlarm: alarms before imported key material expires, per
//     key and with one Metrics Insights alarm for every key of the account.
//   - LifecycleEvents: routes the KMS events (rotation, imported key
//     material expiration, deletion) to SNS, SQS, Lambda, Kinesis or any target.
//   - AutoCancelDeletion: cancels the deletion of a key that is still in use,
//     with SSM Automation started by EventBridge and least-privilege roles.
//   - KeyUseEvents: the same detection as PendingDeletionAlarm from CloudTrail
//     events in EventBridge, in seconds, naming the key and the caller.
//   - CisKeyChangesAlarm: the CIS AWS Foundations control on DisableKey and
//     ScheduleKeyDeletion (Security Hub CloudWatch.7).
//   - GrantAudit: reports grants created, retired or revoked.
//   - CentralKeyMonitoring, MemberKeyMonitoring and MemberStackSet: the
//     same across an AWS organization, members forwarding to a central bus,
//     rolled out with a service-managed StackSet.
//
// KeyMonitoring composes them (AutoCancelDeletion opt-in) on one encrypted
// topic, with a CloudWatch dashboard of key health; each part also works alone.
//
// Every construct takes a props struct whose zero value is a sensible, secure
// default; invalid props fail synthesis with a *ValidationError that names the
// construct path, the prop and the fix.
package kmsmonitor

import "github.com/kmsmonitor/kmsmonitor/internal/propcheck"

// ValidationError is the panic value of a constructor given invalid props. It
// lists every invalid prop at once.
type ValidationError = propcheck.Error
