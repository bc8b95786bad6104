package kmsmonitor

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/alerting"
	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

// maxAlarmsPerWidget is the most alarms a CloudWatch alarm status widget shows.
const maxAlarmsPerWidget = 100

// KeyMonitoringProps configures KeyMonitoring. The zero value (or nil)
// creates the default parts (PendingDeletion, KeyMaterialExpiry,
// LifecycleEvents, the dashboard), notifying one new encrypted topic.
//
// Every part follows one convention: XxxEnabled switches it on or off (on by
// default for the default parts, off for the others) and Xxx configures it;
// props given for a part that is off are an error. Topic, Emails and
// NotifyOnOK here apply to every part; a part's own Topic, Emails or
// NotifyOnOK, when set, apply to that part instead.
type KeyMonitoringProps struct {
	// Topic receives every notification of every part.
	// Default: a new SNS topic encrypted with a new customer managed KMS key
	// (rotation on) that denies publishing without TLS.
	Topic awssns.ITopic
	// Emails are subscribed to Topic.
	// Default: no subscription.
	Emails []string
	// NotifyOnOK also notifies when an alarm returns to OK.
	// Default: false.
	NotifyOnOK *bool

	// PendingDeletionEnabled creates the PendingDeletionAlarm.
	// Default: true.
	PendingDeletionEnabled *bool
	// PendingDeletion configures it.
	// Default: a new trail, both detectors (pending deletion, disabled key),
	// notifications that name the key, the operation and the caller
	// (NamedNotifications) where CloudWatch log alarms exist and no
	// FilterPattern is given; with KeyUseEventsEnabled, KeyUseEvents notifies
	// each use instead and the alarms have no actions (one message per use).
	PendingDeletion *PendingDeletionAlarmProps

	// KeyMaterialExpiryEnabled creates the KeyMaterialExpiryAlarm.
	// Default: true.
	KeyMaterialExpiryEnabled *bool
	// KeyMaterialExpiry configures it: keys given here get per-key alarms;
	// fleet mode stays on unless AllKeys is false.
	// Default: fleet mode only.
	KeyMaterialExpiry *KeyMaterialExpiryAlarmProps

	// LifecycleEventsEnabled creates LifecycleEvents.
	// Default: true.
	LifecycleEventsEnabled *bool
	// LifecycleEvents configures it.
	// Default: the three KMS events of every key, to Topic.
	LifecycleEvents *LifecycleEventsProps

	// CisAlarmEnabled creates the CIS control CisKeyChangesAlarm (Security
	// Hub CloudWatch.7) on the pending-deletion alarm's log group.
	// Default: false.
	CisAlarmEnabled *bool
	// CisAlarm configures it (LogGroup defaults to the pending-deletion
	// alarm's).
	// Default: the exact CIS filter.
	CisAlarm *CisKeyChangesAlarmProps

	// KeyUseEventsEnabled creates KeyUseEvents: detection of keys pending
	// deletion or disabled from CloudTrail events, in seconds, with messages
	// that name the key and the caller (no log group needed).
	// Default: false.
	KeyUseEventsEnabled *bool
	// KeyUseEvents configures it.
	// Default: both rules.
	KeyUseEvents *KeyUseEventsProps

	// GrantAuditEnabled creates GrantAudit.
	// Default: false.
	GrantAuditEnabled *bool
	// GrantAudit configures it.
	// Default: every key.
	GrantAudit *GrantAuditProps

	// AutoCancelEnabled creates AutoCancelDeletion; AutoCancel.Mode is then
	// required. AlarmDriven(nil, ...) uses the pending-deletion alarm.
	// Default: false.
	AutoCancelEnabled *bool
	// AutoCancel configures it.
	// Default: none.
	AutoCancel *AutoCancelDeletionProps

	// DeletionGuardEnabled applies DeletionGuard to every awskms.Key defined
	// in this construct's stack (an aspect): their key policies deny
	// ScheduleKeyDeletion and DisableKey while the key is in use.
	// Default: false.
	DeletionGuardEnabled *bool
	// DeletionGuard configures it.
	// Default: DeletionGuard's defaults.
	DeletionGuard *DeletionGuardProps

	// DeletionCheckEnabled creates DeletionCheck: a scheduled deletion of a
	// key used recently is cancelled, for keys whose policies the app does
	// not own.
	// Default: false.
	DeletionCheckEnabled *bool
	// DeletionCheck configures it.
	// Default: DeletionCheck's defaults.
	DeletionCheck *DeletionCheckProps

	// KeyPolicyChangesEnabled creates KeyPolicyChanges.
	// Default: false.
	KeyPolicyChangesEnabled *bool
	// KeyPolicyChanges configures it.
	// Default: key policies that grant to "*".
	KeyPolicyChanges *KeyPolicyChangesProps

	// ImportedKeyMaterialChangesEnabled creates ImportedKeyMaterialChanges.
	// Default: false.
	ImportedKeyMaterialChangesEnabled *bool
	// ImportedKeyMaterialChanges configures it.
	// Default: every key.
	ImportedKeyMaterialChanges *ImportedKeyMaterialChangesProps

	// ExternalKeyStoreCertificateEnabled creates
	// ExternalKeyStoreCertificateAlarm; its CustomKeyStoreIDs are then required.
	// Default: false.
	ExternalKeyStoreCertificateEnabled *bool
	// ExternalKeyStoreCertificate configures it.
	// Default: none.
	ExternalKeyStoreCertificate *ExternalKeyStoreCertificateAlarmProps

	// MonitorTamperingEnabled creates MonitorTampering over this construct's
	// own trail, alarms, metric filters and rules (and those given in
	// MonitorTampering).
	// Default: false.
	MonitorTamperingEnabled *bool
	// MonitorTampering configures it; its lists add to the construct's own.
	// Default: this construct's resources only.
	MonitorTampering *MonitorTamperingProps

	// DashboardEnabled creates a CloudWatch dashboard of key health.
	// Default: true.
	DashboardEnabled *bool
	// DashboardName of the dashboard.
	// Default: a name generated by CloudFormation.
	DashboardName *string
}

// KeyMonitoring watches the KMS keys of an account and Region in one
// construct: PendingDeletionAlarm, KeyMaterialExpiryAlarm, LifecycleEvents,
// optionally AutoCancelDeletion, and a dashboard, all notifying one topic.
type KeyMonitoring struct {
	constructs.Construct

	// PendingDeletion is nil when switched off.
	PendingDeletion *PendingDeletionAlarm
	// KeyMaterialExpiry is nil when switched off.
	KeyMaterialExpiry *KeyMaterialExpiryAlarm
	// LifecycleEvents is nil when switched off.
	LifecycleEvents *LifecycleEvents
	// AutoCancel is nil unless AutoCancelEnabled.
	AutoCancel *AutoCancelDeletion
	// CisAlarm is nil unless CisAlarmEnabled.
	CisAlarm *CisKeyChangesAlarm
	// KeyUseEvents is nil unless KeyUseEventsEnabled.
	KeyUseEvents *KeyUseEvents
	// GrantAudit is nil unless GrantAuditEnabled.
	GrantAudit *GrantAudit
	// DeletionGuard is nil unless DeletionGuardEnabled.
	DeletionGuard *DeletionGuard
	// DeletionCheck is nil unless DeletionCheckEnabled.
	DeletionCheck *DeletionCheck
	// KeyPolicyChanges is nil unless KeyPolicyChangesEnabled.
	KeyPolicyChanges *KeyPolicyChanges
	// ImportedKeyMaterialChanges is nil unless ImportedKeyMaterialChangesEnabled.
	ImportedKeyMaterialChanges *ImportedKeyMaterialChanges
	// ExternalKeyStoreCertificate is nil unless ExternalKeyStoreCertificateEnabled.
	ExternalKeyStoreCertificate *ExternalKeyStoreCertificateAlarm
	// MonitorTampering is nil unless MonitorTamperingEnabled.
	MonitorTampering *MonitorTampering
	// Dashboard is nil when switched off.
	Dashboard awscloudwatch.Dashboard
	// Topic receives every notification.
	Topic awssns.ITopic
	// TopicKey encrypts Topic; nil when Topic was given.
	TopicKey awskms.Key
}

// NewKeyMonitoring creates KeyMonitoring. props may be nil. It panics with a
// *ValidationError when props are invalid (a part's own props are checked by
// that part, under its own path).
func NewKeyMonitoring(scope constructs.Construct, id *string, props *KeyMonitoringProps) *KeyMonitoring {
	p, node, c := start("kmsmonitor.KeyMonitoring", scope, id, props)
	p.validate(c)

	m := &KeyMonitoring{Construct: node}
	// Decided once, handed to every part.
	n := alerting.Decide(node, p.Topic, p.Emails, p.NotifyOnOK, nil)
	m.Topic, m.TopicKey = n.Topic, n.Key

	if defaultOn(p.PendingDeletionEnabled) {
		pd := orZero(p.PendingDeletion)
		pd.shared = &n
		switch {
		case optIn(p.KeyUseEventsEnabled):
			// KeyUseEvents names the key, the operation and the caller in seconds: the one message of each use.
			pd.silent = true
		case pd.NamedNotifications == nil && pd.FilterPattern == nil && alerting.LogAlarmsAvailable(*awscdk.Stack_Of(node).Region()):
			pd.NamedNotifications = jsii.Bool(true)
		}
		m.PendingDeletion = NewPendingDeletionAlarm(node, jsii.String("PendingDeletion"), &pd)
	}
	if defaultOn(p.KeyMaterialExpiryEnabled) {
		ke := orZero(p.KeyMaterialExpiry)
		if ke.AllKeys == nil {
			ke.AllKeys = jsii.Bool(true)
		}
		ke.shared = &n
		m.KeyMaterialExpiry = NewKeyMaterialExpiryAlarm(node, jsii.String("KeyMaterialExpiry"), &ke)
	}
	if defaultOn(p.LifecycleEventsEnabled) {
		le := orZero(p.LifecycleEvents)
		le.shared = &n
		m.LifecycleEvents = NewLifecycleEvents(node, jsii.String("LifecycleEvents"), &le)
	}
	if optIn(p.CisAlarmEnabled) {
		ca := orZero(p.CisAlarm)
		if ca.LogGroup == nil && m.PendingDeletion != nil {
			ca.LogGroup = m.PendingDeletion.LogGroup
		}
		ca.shared = &n
		m.CisAlarm = NewCisKeyChangesAlarm(node, jsii.String("CisAlarm"), &ca)
	}
	if optIn(p.KeyUseEventsEnabled) {
		ku := orZero(p.KeyUseEvents)
		ku.shared = &n
		m.KeyUseEvents = NewKeyUseEvents(node, jsii.String("KeyUseEvents"), &ku)
	}
	if optIn(p.GrantAuditEnabled) {
		ga := orZero(p.GrantAudit)
		ga.shared = &n
		m.GrantAudit = NewGrantAudit(node, jsii.String("GrantAudit"), &ga)
	}
	if optIn(p.AutoCancelEnabled) {
		ac := orZero(p.AutoCancel)
		if ac.Mode != nil && !ac.Mode.keyAware && ac.Mode.alarm == nil && m.PendingDeletion != nil {
			mode := *ac.Mode // never write into the caller's mode
			mode.alarm = m.PendingDeletion.Alarm
			ac.Mode = &mode
		}
		ac.shared = &n
		if ac.Mode != nil && ac.Mode.keyAware {
			// One exemption list (below): key-aware cancellations leave exempt deletions alone too.
			ac.BreakGlassPrincipalArns = sharedBreakGlassWith(&p, ac.BreakGlassPrincipalArns)
		} else if ac.Mode != nil && len(sharedBreakGlass(&p)) > 0 {
			awscdk.Annotations_Of(node).AddWarningV2(jsii.String("kmsmonitor:autoCancelIgnoresBreakGlass"), jsii.String(
				"AutoCancelDeletion is alarm-driven: AWS's runbook cannot tell who scheduled a deletion, so a deletion the break-glass principals scheduled is cancelled too when the key is used. "+
					"Use a key-aware mode (KeyAwareListed, KeyAwareTagged, KeyAwareAllKeys), which leaves their deletions alone and reports them, or acknowledge this warning."), nil)
		}
		m.AutoCancel = NewAutoCancelDeletion(node, jsii.String("AutoCancel"), &ac)
	}
	// One exemption list: the guard's break-glass principals are DeletionCheck's, and the other way round.
	breakGlass := sharedBreakGlass(&p)
	if optIn(p.DeletionGuardEnabled) {
		dg := orZero(p.DeletionGuard)
		dg.BreakGlassPrincipalArns = breakGlass
		m.DeletionGuard = NewDeletionGuard(node, jsii.String("DeletionGuard"), &dg)
		awscdk.Aspects_Of(awscdk.Stack_Of(node)).Add(m.DeletionGuard.Aspect(), nil)
	}
	if optIn(p.DeletionCheckEnabled) {
		dc := orZero(p.DeletionCheck)
		dc.BreakGlassPrincipalArns = breakGlass
		dc.shared = &n
		m.DeletionCheck = NewDeletionCheck(node, jsii.String("DeletionCheck"), &dc)
	}
	if optIn(p.KeyPolicyChangesEnabled) {
		kp := orZero(p.KeyPolicyChanges)
		kp.shared = &n
		m.KeyPolicyChanges = NewKeyPolicyChanges(node, jsii.String("KeyPolicyChanges"), &kp)
	}
	if optIn(p.ImportedKeyMaterialChangesEnabled) {
		ik := orZero(p.ImportedKeyMaterialChanges)
		ik.shared = &n
		m.ImportedKeyMaterialChanges = NewImportedKeyMaterialChanges(node, jsii.String("ImportedKeyMaterialChanges"), &ik)
	}
	if optIn(p.ExternalKeyStoreCertificateEnabled) {
		xk := orZero(p.ExternalKeyStoreCertificate)
		xk.shared = &n
		m.ExternalKeyStoreCertificate = NewExternalKeyStoreCertificateAlarm(node, jsii.String("ExternalKeyStoreCertificate"), &xk)
	}
	// Last: it watches what the other parts created.
	if optIn(p.MonitorTamperingEnabled) {
		mt := orZero(p.MonitorTampering)
		m.addOwnResources(&mt)
		switch {
		case mt.Topic != nil:
		case m.TopicKey != nil && len(p.Emails)+len(mt.Emails) > 0:
			// It watches the topic this construct created and that topic's key: its
			// alerts take a topic and key of their own (to the same addresses), or a
			// deleted topic or a disabled key would silence the alert that reports it.
			mt.Emails = mergeEmails(mt.Emails, p.Emails)
		default:
			// A topic given, or no address to subscribe (the topic is subscribed
			// elsewhere): its alerts can only go to that topic.
			mt.shared = &n
		}
		m.MonitorTampering = NewMonitorTampering(node, jsii.String("MonitorTampering"), &mt)
		if m.DeletionGuard != nil {
			m.MonitorTampering.watchGuard(m.DeletionGuard, mt.Keys)
		}
	}
	if defaultOn(p.DashboardEnabled) {
		m.Dashboard = m.newDashboard(p.DashboardName)
	}
	return m
}

// addOwnResources adds to mt the trail, alarms, metric filters and rules the
// parts created, after those the user listed.
func (m *KeyMonitoring) addOwnResources(mt *MonitorTamperingProps) {
	if pd := m.PendingDeletion; pd != nil {
		if pd.Trail != nil {
			mt.TrailArns = append(mt.TrailArns, *pd.Trail.TrailArn())
		}
		mt.MetricFilters = append(mt.MetricFilters, pd.MetricFilter)
		if pd.DisabledKeyMetricFilter != nil {
			mt.MetricFilters = append(mt.MetricFilters, pd.DisabledKeyMetricFilter)
		}
	}
	if m.CisAlarm != nil {
		mt.MetricFilters = append(mt.MetricFilters, m.CisAlarm.MetricFilter)
	}
	mt.Alarms = append(mt.Alarms, m.Alarms()...)
	// The log alarms that notify the uses of keys pending deletion or disabled
	// (named notifications): their names, read from their ARNs (DeleteAlarms
	// and DisableAlarmActions take a log alarm's name as any alarm's).
	if pd := m.PendingDeletion; pd != nil {
		for id, la := range map[string]awscloudwatch.CfnLogAlarm{"WatchedLogAlarm": pd.LogAlarm, "WatchedDisabledKeyLogAlarm": pd.DisabledKeyLogAlarm} {
			if la != nil {
				mt.Alarms = append(mt.Alarms, awscloudwatch.Alarm_FromAlarmArn(m.Construct, jsii.String(id), la.AttrArn()))
			}
		}
	}
	var rules []awsevents.Rule
	if m.LifecycleEvents != nil {
		rules = append(rules, m.LifecycleEvents.Rules...)
	}
	if ku := m.KeyUseEvents; ku != nil {
		rules = append(rules, ku.PendingDeletionRule)
		if ku.DisabledKeyRule != nil {
			rules = append(rules, ku.DisabledKeyRule)
		}
	}
	if m.GrantAudit != nil {
		rules = append(rules, m.GrantAudit.Rules...)
	}
	if m.AutoCancel != nil {
		rules = append(rules, m.AutoCancel.Rules...)
	}
	if m.DeletionCheck != nil {
		rules = append(rules, m.DeletionCheck.Rule)
	}
	if m.KeyPolicyChanges != nil {
		rules = append(rules, m.KeyPolicyChanges.Rules...)
	}
	if m.ImportedKeyMaterialChanges != nil {
		rules = append(rules, m.ImportedKeyMaterialChanges.Rules...)
	}
	for _, r := range rules {
		if ruleBus(r) == "" { // a part's rule on a bus of its own (KeyUseEvents' EventBus) cannot be matched
			mt.Rules = append(mt.Rules, r)
		}
	}
	// The notification path: the topic every part notifies, its key and the
	// trail's. A topic of another account is watched there, not here: CloudTrail
	// records calls on it in its own account.
	if m.Topic != nil && sameAccountAsStack(m.Topic, m.Topic.TopicArn()) {
		mt.Topics = append(mt.Topics, m.Topic)
	}
	if m.TopicKey != nil {
		mt.Keys = append(mt.Keys, m.TopicKey)
	}
	if pd := m.PendingDeletion; pd != nil && pd.TrailKey != nil {
		mt.Keys = append(mt.Keys, pd.TrailKey)
	}
	if pd := m.PendingDeletion; pd != nil && pd.TrailBucket != nil {
		mt.Buckets = append(mt.Buckets, pd.TrailBucket)
	}
	// The documents the automations run, and their roles where IAM's events arrive (a stack of
	// another Region cannot see them: README says how to watch them from there).
	if m.AutoCancel != nil && m.AutoCancel.Document != nil {
		mt.Documents = append(mt.Documents, m.AutoCancel.Document)
	}
	if m.DeletionCheck != nil && m.DeletionCheck.Document != nil {
		mt.Documents = append(mt.Documents, m.DeletionCheck.Document)
	}
	if region := *awscdk.Stack_Of(m.Construct).Region(); !propcheck.Unresolved(region) && isIAMEventRegion(region) {
		if m.AutoCancel != nil {
			mt.Roles = append(mt.Roles, m.AutoCancel.AutomationRole, m.AutoCancel.EventsRole)
			for _, policy := range m.AutoCancel.AutomationPolicies {
				mt.Policies = append(mt.Policies, policy)
			}
			mt.Policies = append(mt.Policies, m.AutoCancel.EventsPolicy)
		}
		if m.DeletionCheck != nil {
			mt.Roles = append(mt.Roles, m.DeletionCheck.AutomationRole, m.DeletionCheck.EventsRole)
			mt.Policies = append(mt.Policies, m.DeletionCheck.AutomationPolicy, m.DeletionCheck.EventsPolicy)
		}
	}
}

// defaultOn reads the switch of a part that is on by default; optIn, of a
// part that is off by default.
func defaultOn(b *bool) bool { return b == nil || *b }
func optIn(b *bool) bool     { return b != nil && *b }

// orZero returns a copy of *p, or the zero value when p is nil.
func orZero[P any](p *P) P {
	var v P
	if p != nil {
		v = *p
	}
	return v
}

// Alarms returns every alarm the parts created.
func (m *KeyMonitoring) Alarms() []awscloudwatch.IAlarm {
	var alarms []awscloudwatch.IAlarm
	if pd := m.PendingDeletion; pd != nil {
		alarms = append(alarms, pd.Alarm)
		if pd.DisabledKeyAlarm != nil {
			alarms = append(alarms, pd.DisabledKeyAlarm)
		}
	}
	if m.CisAlarm != nil {
		alarms = append(alarms, m.CisAlarm.Alarm)
	}
	if ke := m.KeyMaterialExpiry; ke != nil {
		if ke.FleetAlarm != nil {
			alarms = append(alarms, ke.FleetAlarm)
		}
		for _, a := range ke.KeyAlarms {
			alarms = append(alarms, a)
		}
	}
	if xk := m.ExternalKeyStoreCertificate; xk != nil {
		for _, a := range xk.Alarms {
			alarms = append(alarms, a)
		}
	}
	return alarms
}

func (m *KeyMonitoring) newDashboard(name *string) awscloudwatch.Dashboard {
	d := awscloudwatch.NewDashboard(m.Construct, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName:   name,
		DefaultInterval: awscdk.Duration_Days(jsii.Number(7)),
	})
	// An alarm status widget shows at most 100 alarms.
	alarms := m.Alarms()
	for start := 0; start < len(alarms); start += maxAlarmsPerWidget {
		chunk := make([]interfacesawscloudwatch.IAlarmRef, 0, maxAlarmsPerWidget)
		for _, a := range alarms[start:min(start+maxAlarmsPerWidget, len(alarms))] {
			chunk = append(chunk, a)
		}
		title := "KMS key alarms"
		if len(alarms) > maxAlarmsPerWidget {
			title = fmt.Sprintf("KMS key alarms (%d-%d of %d)", start+1, start+len(chunk), len(alarms))
		}
		d.AddWidgets(awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
			Title: jsii.String(title), Alarms: &chunk, Width: jsii.Number(24),
		}))
	}
	var row []awscloudwatch.IWidget
	if pd := m.PendingDeletion; pd != nil {
		left := pd.GraphMetrics()
		// A graph widget holds one Metrics Insights query at most: with
		// KeyArnDimension each metric is a query, so each gets its own widget.
		titles := []string{"Failed KMS calls: key pending deletion or disabled"}
		groups := [][]awscloudwatch.IMetric{left}
		if _, query := left[0].(awscloudwatch.MathExpression); query && len(left) > 1 {
			titles = []string{"Failed KMS calls: key pending deletion, per key", "Failed KMS calls: key disabled, per key"}
			groups = [][]awscloudwatch.IMetric{left[:1], left[1:]}
		}
		for i, g := range groups {
			row = append(row, awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
				Title: jsii.String(titles[i]), Left: &g, Width: jsii.Number(12),
				LeftYAxis: &awscloudwatch.YAxisProps{Min: jsii.Number(0), Label: jsii.String("calls"), ShowUnits: jsii.Bool(false)},
			}))
		}
	}
	if ke := m.KeyMaterialExpiry; ke != nil {
		left := []awscloudwatch.IMetric{ke.FleetMetric()}
		row = append(row, awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String("Minimum seconds until imported key material expires, per key"), Left: &left, Width: jsii.Number(12),
			LeftYAxis: &awscloudwatch.YAxisProps{Min: jsii.Number(0), Label: jsii.String("seconds"), ShowUnits: jsii.Bool(false)},
			LeftAnnotations: &[]*awscloudwatch.HorizontalAnnotation{{
				Value: jsii.Number(ke.ThresholdSeconds()), Label: jsii.String("alarm threshold"), Color: awscloudwatch.Color_RED(),
			}},
		}))
	}
	if len(row) > 0 {
		d.AddWidgets(row...)
	}
	return d
}

func (p *KeyMonitoringProps) validate(c *propcheck.Checker) {
	type part struct {
		name     string
		on       bool
		hasProps bool
		rules    bool // its EventBridge rules deliver to the topic
	}
	parts := []part{
		{"PendingDeletion", defaultOn(p.PendingDeletionEnabled), p.PendingDeletion != nil, false},
		{"KeyMaterialExpiry", defaultOn(p.KeyMaterialExpiryEnabled), p.KeyMaterialExpiry != nil, false},
		{"LifecycleEvents", defaultOn(p.LifecycleEventsEnabled), p.LifecycleEvents != nil, true},
		{"CisAlarm", optIn(p.CisAlarmEnabled), p.CisAlarm != nil, false},
		{"KeyUseEvents", optIn(p.KeyUseEventsEnabled), p.KeyUseEvents != nil, true},
		{"GrantAudit", optIn(p.GrantAuditEnabled), p.GrantAudit != nil, true},
		{"AutoCancel", optIn(p.AutoCancelEnabled), p.AutoCancel != nil, true},
		{"DeletionGuard", optIn(p.DeletionGuardEnabled), p.DeletionGuard != nil, false},
		{"DeletionCheck", optIn(p.DeletionCheckEnabled), p.DeletionCheck != nil, false},
		{"KeyPolicyChanges", optIn(p.KeyPolicyChangesEnabled), p.KeyPolicyChanges != nil, true},
		{"ImportedKeyMaterialChanges", optIn(p.ImportedKeyMaterialChangesEnabled), p.ImportedKeyMaterialChanges != nil, true},
		{"ExternalKeyStoreCertificate", optIn(p.ExternalKeyStoreCertificateEnabled), p.ExternalKeyStoreCertificate != nil, false},
		{"MonitorTampering", optIn(p.MonitorTamperingEnabled), p.MonitorTampering != nil, true},
	}
	anyOn, rulesOn := false, false
	for _, pt := range parts {
		anyOn = anyOn || pt.on
		rulesOn = rulesOn || (pt.on && pt.rules)
		if pt.hasProps && !pt.on {
			c.Addf(pt.name, "is set but %sEnabled is not true; set %sEnabled: jsii.Bool(true), or remove %s", pt.name, pt.name, pt.name)
		}
	}
	if !anyOn {
		c.Addf("PendingDeletionEnabled", "every part is switched off; leave at least one of PendingDeletionEnabled, KeyMaterialExpiryEnabled, LifecycleEventsEnabled on, or enable another part")
	}
	if optIn(p.CisAlarmEnabled) && !defaultOn(p.PendingDeletionEnabled) && (p.CisAlarm == nil || p.CisAlarm.LogGroup == nil) {
		c.Addf("CisAlarmEnabled", "the CIS alarm reads the pending-deletion alarm's log group, which is switched off; set CisAlarm.LogGroup to your trail's log group")
	}
	if optIn(p.AutoCancelEnabled) && p.AutoCancel != nil && p.AutoCancel.Mode != nil && !p.AutoCancel.Mode.keyAware &&
		p.AutoCancel.Mode.alarm == nil && !defaultOn(p.PendingDeletionEnabled) {
		c.Addf("AutoCancel", "AlarmDriven(nil, ...) uses the pending-deletion alarm, which is switched off; pass an alarm to AlarmDriven, use a key-aware mode, or leave PendingDeletionEnabled on")
	}
	if optIn(p.KeyUseEventsEnabled) && p.PendingDeletion != nil && p.PendingDeletion.NamedNotifications != nil && *p.PendingDeletion.NamedNotifications {
		c.Addf("PendingDeletion.NamedNotifications", "is true with KeyUseEventsEnabled: both would notify each incident; KeyUseEvents already names the key, the operation and the caller (in seconds): remove NamedNotifications, or KeyUseEventsEnabled")
	}
	if p.DashboardName != nil && !defaultOn(p.DashboardEnabled) {
		c.Addf("DashboardName", "is set but DashboardEnabled is false; remove one")
	}
	c.AWSName("DashboardName", p.DashboardName, propcheck.DashboardName)
	if rulesOn {
		alerting.CheckRuleDeliveryProps(c, p.Topic, nil, p.Emails)
	} else {
		alerting.CheckDeliveryProps(c, p.Topic, nil, p.Emails)
	}
	c.PanicIfAny()
}

// sameAccountAsStack reports whether r, of the given ARN, may be of its
// stack's account: its account, as far as it is a literal, is the stack's.
func sameAccountAsStack(r awscdk.IResource, arn *string) bool {
	account := propcheck.EnvOfArn(*arn).Account
	if account == "" {
		account = propcheck.EnvOf(r).Account
	}
	stack := *awscdk.Stack_Of(r).Account()
	return account == "" || propcheck.Unresolved(stack) || account == stack
}

// mergeEmails returns own, then the addresses of shared that own lacks.
func mergeEmails(own, shared []string) []string {
	out := append([]string{}, own...)
	for _, e := range shared {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

// sharedBreakGlass is the one exemption list of KeyMonitoring's deletion
// parts: DeletionGuard's break-glass principals, then DeletionCheck's that
// are not among them, when both parts are on (a part that is off keeps its
// list to itself, and so to its validation).
func sharedBreakGlass(p *KeyMonitoringProps) []string {
	var guard, check []string
	if p.DeletionGuard != nil {
		guard = p.DeletionGuard.BreakGlassPrincipalArns
	}
	if p.DeletionCheck != nil {
		check = p.DeletionCheck.BreakGlassPrincipalArns
	}
	if !optIn(p.DeletionGuardEnabled) {
		return check
	}
	if !optIn(p.DeletionCheckEnabled) {
		return guard
	}
	return appendNew(append([]string{}, guard...), check)
}

// appendNew appends to list the entries of more it does not hold yet.
func appendNew(list, more []string) []string {
	seen := map[string]bool{}
	for _, v := range list {
		seen[v] = true
	}
	for _, v := range more {
		if !seen[v] {
			list = append(list, v)
			seen[v] = true
		}
	}
	return list
}

// sharedBreakGlassWith is sharedBreakGlass followed by the entries of own
// not among them: AutoCancelDeletion's list, which joins the shared one.
func sharedBreakGlassWith(p *KeyMonitoringProps, own []string) []string {
	return appendNew(sharedBreakGlass(p), own)
}
