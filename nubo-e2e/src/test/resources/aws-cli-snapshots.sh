#!/usr/bin/env bash
# The AWS CLI v2 (Debian's awscli, /usr/bin/aws) drives Nubo's snapshot actions, as a tenant would,
# with the CLI's own snapshot-completed waiter. usage: aws-cli-snapshots.sh <endpoint> <data-dir>
# Credentials come from the profile file that `nubo up` wrote. Prints "AWS CLI SNAPSHOTS PASSED".
set -euo pipefail
EP=$1; DATA=$2
export AWS_SHARED_CREDENTIALS_FILE=$DATA/credentials AWS_CONFIG_FILE=$DATA/config AWS_PROFILE=nubo AWS_PAGER=""
aws() { /usr/bin/aws --endpoint-url "$EP" --region nubo-1 "$@"; }
step() { echo "== $*"; }
fail() { echo "FAILED: $*"; exit 1; }
expect_error() { # runs a command that must fail with the EC2 error code $1
    local code=$1; shift
    local out
    if out=$("$@" 2>&1); then fail "expected $code from: $*"; fi
    grep -q "($code)" <<<"$out" || fail "expected $code, got: $out"
    echo "   got $code as expected"
}

step "a volume, attached to a running instance"
IMAGE=$(aws ec2 describe-images --filters Name=name,Values=nubo-default --query 'Images[0].ImageId' --output text)
ID=$(aws ec2 run-instances --image-id "$IMAGE" --instance-type t3.nano --query 'Instances[0].InstanceId' --output text)
aws ec2 wait instance-running --instance-ids "$ID"
VOL=$(aws ec2 create-volume --availability-zone nubo-1a --size 2 --query VolumeId --output text)
aws ec2 wait volume-available --volume-ids "$VOL"
aws ec2 attach-volume --volume-id "$VOL" --instance-id "$ID" --device /dev/sdf --query State --output text
aws ec2 wait volume-in-use --volume-ids "$VOL"

step "create-snapshot with a description and tags, wait snapshot-completed"
SNAP=$(aws ec2 create-snapshot --volume-id "$VOL" --description "cli snapshot" \
    --tag-specifications 'ResourceType=snapshot,Tags=[{Key=Name,Value=cli-snap}]' --query SnapshotId --output text)
echo "   $SNAP"
aws ec2 wait snapshot-completed --snapshot-ids "$SNAP"
[ "$(aws ec2 describe-snapshots --owner-ids self --filters Name=tag:Name,Values=cli-snap --query 'Snapshots[0].SnapshotId' --output text)" = "$SNAP" ] \
    || fail "the snapshot is not found by its owner and tag"
[ "$(aws ec2 describe-snapshots --snapshot-ids "$SNAP" --query 'Snapshots[0].[State,Progress,VolumeSize,Description]' --output text)" \
    = "$(printf 'completed\t100%%\t2\tcli snapshot')" ] || fail "state, progress, size or description"

step "refusals"
expect_error InvalidSnapshotID.Malformed aws ec2 describe-snapshots --snapshot-ids snap-nope
expect_error InvalidSnapshot.NotFound aws ec2 describe-snapshots --snapshot-ids snap-0123456789abcdef0
expect_error InvalidVolume.NotFound aws ec2 create-snapshot --volume-id vol-0123456789abcdef0
expect_error DryRunOperation aws ec2 create-snapshot --volume-id "$VOL" --dry-run
expect_error InvalidParameterValue aws ec2 create-volume --availability-zone nubo-1a --snapshot-id "$SNAP" --size 1

step "create-volume from the snapshot, copy-snapshot, delete-snapshot"
FROM=$(aws ec2 create-volume --availability-zone nubo-1a --snapshot-id "$SNAP" --query VolumeId --output text)
aws ec2 wait volume-available --volume-ids "$FROM"
[ "$(aws ec2 describe-volumes --volume-ids "$FROM" --query 'Volumes[0].[SnapshotId,Size]' --output text)" = "$(printf '%s\t2' "$SNAP")" ] \
    || fail "the new volume does not name its snapshot or has the wrong size"
COPY=$(aws ec2 copy-snapshot --source-snapshot-id "$SNAP" --source-region nubo-1 --description copy --query SnapshotId --output text)
aws ec2 wait snapshot-completed --snapshot-ids "$COPY"
aws ec2 delete-snapshot --snapshot-id "$COPY"
expect_error InvalidSnapshot.NotFound aws ec2 describe-snapshots --snapshot-ids "$COPY"
aws ec2 delete-snapshot --snapshot-id "$SNAP"
[ "$(aws ec2 describe-volumes --volume-ids "$FROM" --query 'Volumes[0].State' --output text)" = available ] \
    || fail "a volume made from a deleted snapshot lives on"
echo "AWS CLI SNAPSHOTS PASSED"
