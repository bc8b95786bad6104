package kmseventtest

import "encoding/json"

// Call is a management API call of any service as CloudTrail records it
// (the envelope of the documented records in cloudtrail/): used for the
// CloudTrail, CloudWatch, CloudWatch Logs and EventBridge calls that could
// blind kmsmonitor, whose requestParameters follow each API's request
// syntax (such as {"name": ...} for StopLogging, {"alarmNames": [...]} for
// DeleteAlarms).
type Call struct {
	EventSource       string // such as cloudtrail.amazonaws.com
	EventName         string
	Caller            Caller
	RequestParameters map[string]any
	ErrorCode         string // empty: the call succeeded and the record has no error fields
	ErrorMessage      string
}

// Record returns the CloudTrail record of c.
func (c Call) Record() []byte {
	rec := map[string]any{
		"eventVersion":       "1.09",
		"userIdentity":       c.Caller,
		"eventTime":          "2026-11-23T10:00:00Z",
		"eventSource":        c.EventSource,
		"eventName":          c.EventName,
		"awsRegion":          "us-west-2",
		"sourceIPAddress":    "192.0.2.0",
		"userAgent":          "aws-cli/2.0",
		"requestParameters":  c.RequestParameters,
		"responseElements":   nil,
		"requestID":          "0e2a5cf8-6c2d-4c55-9b57-5a4a8a0c1b2d",
		"eventID":            "7d9a3f61-2b4c-4e8f-a1d2-3c4b5a6d7e8f",
		"readOnly":           false,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": "111122223333",
		"eventCategory":      "Management",
	}
	if c.ErrorCode != "" {
		rec["errorCode"], rec["errorMessage"] = c.ErrorCode, c.ErrorMessage
	}
	b, err := json.Marshal(rec)
	if err != nil {
		panic(err)
	}
	return b
}

// With returns record with the top-level fields of changes set (a nil value
// removes the field), and requestParameters merged with params when params
// is not nil (a nil value there removes the parameter): a documented record
// turned into a near miss, such as a failed call or another caller.
func With(record []byte, changes map[string]any, params map[string]any) []byte {
	var rec map[string]any
	if err := json.Unmarshal(record, &rec); err != nil {
		panic(err)
	}
	for k, v := range changes {
		if v == nil {
			delete(rec, k)
		} else {
			rec[k] = v
		}
	}
	if params != nil {
		rp, _ := rec["requestParameters"].(map[string]any)
		if rp == nil {
			rp = map[string]any{}
		}
		for k, v := range params {
			if v == nil {
				delete(rp, k)
			} else {
				rp[k] = v
			}
		}
		rec["requestParameters"] = rp
	}
	b, err := json.Marshal(rec)
	if err != nil {
		panic(err)
	}
	return b
}
