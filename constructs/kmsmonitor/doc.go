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
//   - ChatNotifications: kmsmonitor's messages in Slack or Microsoft Teams
//     through Amazon Q Developer in chat applications, in its custom
//     notification format, on a chat topic of their own.
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
// # Architecture
//
// One file per construct, holding its props, its construct and its
// constructor (pending_deletion_alarm.go, key_monitoring.go...), with its
// tests beside it. Shared code lives in files named for what they do:
// construct_start.go (what every constructor does first), key_refs.go (the
// one reader of Keys, KeyArns and KeyIDs), event_rules.go (CloudTrail rules
// on EventBridge, the error-message suffixes, the target limit, and
// fitPatterns, the one splitter of rules whose pattern lists keys or names), trail_check.go
// (checks of a trail defined in the app).
//
// A new construct gets its file, calls start, reads keys with keyInput,
// decides its notification with alerting.Decide (taking the shared
// notification of a composing construct), and validates its props in one pass
// before creating anything. A new detector on CloudTrail events uses
// newCloudTrailRule and alerting.NotifyTarget; a new alarm uses
// alerting.NewAlarm. To make it a part of KeyMonitoring, add XxxEnabled and
// Xxx to KeyMonitoringProps, its entry in KeyMonitoringProps.validate's part
// list, and hand it the shared notification.
//
// Packages under internal/ and what they may import: alerting, propcheck,
// nagsuppress, trustpolicy, cdkchild, cdkbyname and jsiiprocess are
// production code and import only aws-cdk-lib, constructs, jsii-runtime-go
// and each other (alerting imports propcheck, nagsuppress and cdkbyname);
// nothing imports this package from them. aws-cdk-lib classes whose Go
// package would pull in many more aws-cdk-go packages (awseventstargets,
// awssnssubscriptions, awscloudwatchactions) are created through cdkbyname.
// internal/testing/... are test helpers (cfnlinttest, eventbridgetest,
// iamlinttest, iamsimtest, kmseventtest, logsfiltertest): only _test.go files
// import them, and they never import production packages.
package kmsmonitor

import "github.com/kmsmonitor/kmsmonitor/internal/propcheck"

// ValidationError is the panic value of a constructor given invalid props. It
// lists every invalid prop at once.
type ValidationError = propcheck.Error
