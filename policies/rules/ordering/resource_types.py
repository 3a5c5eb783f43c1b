"""Type tokens that the engine and several concern modules of the table name."""

from __future__ import annotations

SERVICE = "gcp:projects/service:Service"
SERVICE_IDENTITY = "gcp:projects/serviceIdentity:ServiceIdentity"
PROJECT_IAM_MEMBER = "gcp:projects/iAMMember:IAMMember"
BUCKET_IAM_MEMBER = "gcp:storage/bucketIAMMember:BucketIAMMember"
TOPIC_IAM_MEMBER = "gcp:pubsub/topicIAMMember:TopicIAMMember"
DATASET_IAM_MEMBER = "gcp:bigquery/datasetIamMember:DatasetIamMember"
SERVICE_ACCOUNT_IAM_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember"
SECRET_IAM_MEMBER = "gcp:secretmanager/secretIamMember:SecretIamMember"
IAM_MEMBERS = (
    PROJECT_IAM_MEMBER,
    BUCKET_IAM_MEMBER,
    TOPIC_IAM_MEMBER,
    DATASET_IAM_MEMBER,
    SERVICE_ACCOUNT_IAM_MEMBER,
    SECRET_IAM_MEMBER,
)
CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
CONNECTION = "gcp:servicenetworking/connection:Connection"
NAMESPACE = "kubernetes:core/v1:Namespace"
