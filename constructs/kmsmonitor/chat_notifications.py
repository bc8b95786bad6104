# kmsmonitor ChatNotifications: publishes each message of the topic this
# function is subscribed to on CHAT_TOPIC_ARN, in the custom notification
# format of Amazon Q Developer in chat applications, which shows only the
# messages it recognizes. Text messages (EventBridge rules, pipes, Automation)
# give the title from their first line or subject; alarm messages (CloudWatch
# metric and log alarms) from their state and name. The body is a code block:
# ARNs and policies keep their * and _ unformatted. Title and body are cut to
# Slack's limits for a header (150 characters) and a text block (3,000).
import json
import os

import boto3

TITLE_MAX = 150
DESCRIPTION_MAX = 3000
HIDDEN = {"AlarmName", "NewStateValue", "AlarmDescription", "NewStateReason", "AWSAccountId", "Region",
          "StateChangeTime", "OKActions", "AlarmActions", "InsufficientDataActions",
          "AlarmConfigurationUpdatedTimestamp"}


def cut(text, most):
    return text if len(text) <= most else text[:most - 3] + "..."


def chat_message(subject, message):
    try:
        doc = json.loads(message)
    except ValueError:
        doc = None
    if isinstance(doc, dict) and doc.get("version") == "1.0" and doc.get("source") == "custom":
        return message
    if isinstance(doc, dict) and "AlarmName" in doc and "NewStateValue" in doc:
        title = "%s: %s" % (doc["NewStateValue"], doc["AlarmName"])
        where = ", ".join("%s%s" % (label, doc[k]) for k, label in
                          (("AWSAccountId", "Account: "), ("Region", "Region: "), ("StateChangeTime", "")) if doc.get(k))
        lines = [doc.get("AlarmDescription"), doc.get("NewStateReason"), where]
        rest = {k: v for k, v in doc.items() if k not in HIDDEN}
        if rest:
            lines.append(json.dumps(rest, indent=1))
        body = "\n".join(line for line in lines if line)
    else:
        text = message.strip()
        first, _, rest = text.partition("\n")
        title, body = (subject, text) if subject else (first, rest.strip() or first)
    body = cut(body.replace("```", "'''"), DESCRIPTION_MAX - 8)
    title = title.replace("`", "'")
    return json.dumps({"version": "1.0", "source": "custom", "content": {
        "textType": "client-markdown", "title": cut(title, TITLE_MAX), "description": "```\n" + body + "\n```"}})


def handler(event, context):
    sns, published = boto3.client("sns"), []
    for record in event["Records"]:
        note = record["Sns"]
        published.append(chat_message(note.get("Subject"), note["Message"]))
        sns.publish(TopicArn=os.environ["CHAT_TOPIC_ARN"], Message=published[-1])
    return {"published": published}
