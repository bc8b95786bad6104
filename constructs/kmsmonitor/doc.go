// Package kmsmonitor provides AWS CDK constructs that watch AWS KMS keys and
// tell you (and protect you) before a key you still need is deleted or
// expires. Import it into a Go CDK app; every construct takes a props struct
// whose zero value is a sensible, secure default.
//
// # Start here
//
//   - KeyMonitoring: the quick start. A CloudTrail trail to CloudWatch Logs,
//     the pending-deletion and disabled-key alarms (naming the key, the
//     operation and the caller), the imported key material alarm, the
//     lifecycle event rule and a dashboard, on one encrypted topic; the
//     detectors and protections below are switches (XxxEnabled) and props
//     (Xxx) of it, the organization and chat constructs stand alone.
//
// # Detect
//
//   - PendingDeletionAlarm: the AWS recipe. A trail delivers to CloudWatch
//     Logs; metric filters count calls that fail because a key is pending
//     deletion or disabled; alarms (and log alarms that name the key and the
//     caller) notify an encrypted SNS topic.
//   - KeyMaterialExpiryAlarm: alarms before imported key material expires,
//     per key or one Metrics Insights alarm for every key.
//   - LifecycleEvents: routes KMS CMK Rotation, Imported Key Material
//     Expiration and CMK Deletion events to SNS, SQS, Lambda, Kinesis or any
//     target.
//   - KeyUseEvents: the pending-deletion detection from CloudTrail events in
//     EventBridge, in seconds, at most one message per key, operation and
//     caller every 5 minutes.
//   - CisKeyChangesAlarm: the CIS AWS Foundations control on DisableKey and
//     ScheduleKeyDeletion (Security Hub CloudWatch.7).
//   - GrantAudit, KeyPolicyChanges, ImportedKeyMaterialChanges: grants,
//     key policies that open a key to everyone, and key material imported
//     or deleted.
//   - ExternalKeyStoreCertificateAlarm: the TLS certificate of an external
//     key store's proxy before it expires.
//   - MonitorTampering: changes to what the monitors rely on (trails,
//     alarms, metric filters, rules, topics, keys).
//
// # Protect
//
//   - DeletionGuard: key policy statements that deny disabling or
//     scheduling the deletion of a key used recently (KMS last usage,
//     kms:TrailingDaysWithoutKeyUsage), as an aspect or per key;
//     OrganizationDeletionGuard: the same as a service control policy.
//   - DeletionCheck: cancels a deletion scheduled for a key used recently
//     (GetKeyLastUsage), with SSM Automation.
//   - AutoCancelDeletion: cancels the deletion of a key still in use, when
//     the pending-deletion alarm fires or when a call fails on the key; the
//     key stays disabled.
//
// # Organizations and chat
//
//   - CentralKeyMonitoring, MemberKeyMonitoring and MemberStackSet: member
//     accounts forward KMS events to a central bus, rolled out with a
//     service-managed StackSet.
//   - ChatNotifications: kmsmonitor's messages in Slack or Microsoft Teams
//     through Amazon Q Developer in chat applications.
//
// # Defaults and errors
//
// Topics are encrypted with a customer managed key and TLS only, queues and
// buckets encrypted and TLS only, log groups keep a year, and data is
// retained when the stack is deleted unless RemovalPolicy says otherwise.
// IAM policies grant no "*" action and are scoped to the resources used.
//
// Invalid props fail synthesis: the constructor panics with a
// *ValidationError naming the construct, its path, every invalid prop and
// the fix. Tokens pass through unchecked. A setup only the deployment can
// judge gets a warning with an ID (kmsmonitor:...) that
// awscdk.Annotations_Of(scope).AcknowledgeWarning acknowledges.
//
// # KeyMonitoring's convention
//
// Every part has a switch and props: XxxEnabled (on by default for
// PendingDeletion, KeyMaterialExpiry, LifecycleEvents and the dashboard, off
// for the others) and Xxx; props of a part that is off are an error. The
// notification (topic, e-mails, NotifyOnOK) is decided once by KeyMonitoring
// and handed to every part; a part's own Topic, Emails or NotifyOnOK, when
// set, apply to that part instead.
//
// Contributors: ARCHITECTURE.md at the repository's root.
package kmsmonitor

import "github.com/kmsmonitor/kmsmonitor/internal/propcheck"

// ValidationError is the panic value of a constructor given invalid props. It
// lists every invalid prop at once. Its fields:
//
//	Construct string   // the construct's type, such as "kmsmonitor.PendingDeletionAlarm"
//	Path      string   // the construct path, such as "Stack/Monitor"
//	Problems  []string // one line per invalid prop: "Prop: what is wrong; the fix"
//
// Recover it with errors.As or a type assertion on the recovered value.
type ValidationError = propcheck.Error
