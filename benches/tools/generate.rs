//! A realistic ResourceList for benchmarks: an application platform's package with Deployments,
//! Services, ConfigMaps, Secrets, and one backup target in ten items (for Stash: KubeDB
//! databases, two in six; a Deployment with paths and volume mounts, one in six; a
//! PersistentVolumeClaim, one in six; for KubeStash: KubeDB databases, two in six) and four
//! BackupBlueprints (three Stash, one KubeStash), about 1 KB per item, with kpt's path
//! annotations, as block YAML (as kpt sends it) or as JSON. Shared by the `gen-resource-list`
//! example and the criterion benchmarks.

use serde_json::{Value, json};
use stash_autobackup::internals::emit::{self, Value as Out};

fn metadata(name: &str, ns: &str, app: &str, path: &str, extra: Value) -> Value {
    let mut annotations = json!({
        "config.kubernetes.io/index": "0",
        "internal.config.kubernetes.io/index": "0",
        "config.kubernetes.io/path": path,
        "internal.config.kubernetes.io/path": path,
    });
    if let (Some(a), Value::Object(extra)) = (annotations.as_object_mut(), extra) {
        a.extend(extra);
    }
    json!({
        "name": name,
        "namespace": ns,
        "labels": {
            "app.kubernetes.io/name": app,
            "app.kubernetes.io/part-of": "shop",
            "app.kubernetes.io/managed-by": "kpt",
        },
        "annotations": annotations,
    })
}

fn item(i: usize) -> Value {
    let ns = format!("team-{}", i % 17);
    let app = format!("svc-{i}");
    let path = format!("apps/{ns}/{app}.yaml");
    match i % 10 {
        0 if i % 60 == 10 || i % 60 == 40 => {
            let name = format!("db-{i}");
            json!({
                "apiVersion": "kubedb.com/v1",
                "kind": if i % 60 == 10 { "MySQL" } else { "Postgres" },
                "metadata": metadata(&name, &ns, &app, &path, json!({
                    "blueprint.kubestash.com/name": "databases-nightly",
                    "blueprint.kubestash.com/namespace": "backup",
                    "variables.kubestash.com/namespace": ns,
                    "variables.kubestash.com/name": name,
                    "variables.kubestash.com/addon": if i % 60 == 10 { "mysql-addon" } else { "postgres-addon" },
                })),
                "spec": {
                    "version": "8.4.3",
                    "replicas": 3,
                    "storageType": "Durable",
                    "storage": {
                        "storageClassName": "standard",
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "20Gi"}},
                    },
                    "deletionPolicy": "Halt",
                },
            })
        }
        0 if i % 60 != 20 && i % 60 != 50 => {
            let blueprints = if i.is_multiple_of(20) {
                "pg-daily"
            } else {
                "pg-daily,pg-weekly"
            };
            json!({
                "apiVersion": "kubedb.com/v1alpha2",
                "kind": "Postgres",
                "metadata": metadata(&format!("db-{i}"), &ns, &app, &path, json!({
                    "stash.appscode.com/backup-blueprint": blueprints,
                    "params.stash.appscode.com/args": "--clean",
                })),
                "spec": {
                    "version": format!("14.{}", i % 9),
                    "replicas": 3,
                    "storageType": "Durable",
                    "storage": {
                        "storageClassName": "standard",
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "20Gi"}},
                    },
                    "terminationPolicy": "Halt",
                },
            })
        }
        0 if i % 60 == 20 => json!({
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": metadata(&format!("{app}-data"), &ns, &app, &path, json!({
                "stash.appscode.com/backup-blueprint": "files-daily",
            })),
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": "standard",
                "resources": {"requests": {"storage": "5Gi"}},
            },
        }),
        0 if i % 60 == 50 => json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": metadata(&app, &ns, &app, &path, json!({
                "stash.appscode.com/backup-blueprint": "files-daily",
                "stash.appscode.com/target-paths": "/srv/data,/srv/config",
                "stash.appscode.com/volume-mounts": "data:/srv/data,config:/srv/config",
            })),
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app.kubernetes.io/name": app}},
                "template": {
                    "metadata": {"labels": {"app.kubernetes.io/name": app}},
                    "spec": {
                        "containers": [{
                            "name": "app",
                            "image": format!("registry.example.com/shop/{app}:1.{}.0", i % 30),
                            "volumeMounts": [
                                {"name": "data", "mountPath": "/srv/data"},
                                {"name": "config", "mountPath": "/srv/config"},
                            ],
                        }],
                        "volumes": [
                            {"name": "data", "persistentVolumeClaim": {"claimName": format!("{app}-data")}},
                            {"name": "config", "configMap": {"name": format!("{app}-config")}},
                        ],
                    },
                },
            },
        }),
        1 | 4 | 7 => json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": metadata(&app, &ns, &app, &path, json!({})),
            "spec": {
                "selector": {"app.kubernetes.io/name": app},
                "type": "ClusterIP",
                "ports": [
                    {"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"},
                    {"name": "metrics", "port": 9090, "targetPort": 9090, "protocol": "TCP"},
                ],
            },
        }),
        2 | 5 => json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": metadata(&format!("{app}-config"), &ns, &app, &path, json!({})),
            "data": {
                "LOG_LEVEL": "info",
                "FEATURE_FLAGS": "on",
                "settings.yaml": "retries: 3\ntimeout: 30s\nendpoints:\n- https://api.example.com/v1\n- https://api.example.com/v2\ncache:\n  size: 512Mi\n  ttl: 10m\n",
                "nginx.conf": "server {\n  listen 8080;\n  location / {\n    proxy_pass http://127.0.0.1:9000;\n  }\n}\n",
            },
        }),
        3 => json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": metadata(&format!("{app}-credentials"), &ns, &app, &path, json!({})),
            "type": "Opaque",
            "data": {"username": "YWRtaW4=", "password": "c2VjcmV0LXBhc3N3b3JkLXt9"},
        }),
        _ => json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": metadata(&app, &ns, &app, &path, json!({})),
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app.kubernetes.io/name": app}},
                "template": {
                    "metadata": {"labels": {"app.kubernetes.io/name": app}},
                    "spec": {"containers": [{
                        "name": "app",
                        "image": format!("registry.example.com/shop/{app}:1.{}.0", i % 30),
                        "ports": [{"containerPort": 8080}],
                        "env": [
                            {"name": "MODE", "value": "production"},
                            {"name": "DEBUG", "value": "no"},
                            {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": format!("{app}-credentials"), "key": "url"}}},
                        ],
                        "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10},
                        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
                    }]},
                },
            },
        }),
    }
}

fn blueprint(name: &str, backend: Value, schedule: &str, task: Value, retention: Value) -> Value {
    let path = format!("blueprints/{name}.yaml");
    json!({
        "apiVersion": "stash.appscode.com/v1beta1",
        "kind": "BackupBlueprint",
        "metadata": {"name": name, "annotations": {
            "config.kubernetes.io/local-config": "true",
            "config.kubernetes.io/path": path,
            "internal.config.kubernetes.io/path": path,
        }},
        "spec": {
            "backend": backend,
            "schedule": schedule,
            "task": task,
            "retentionPolicy": retention,
        },
    })
}

fn out(value: &Value) -> Out<'_> {
    match value {
        Value::Null => Out::Plain("null".into()),
        Value::Bool(b) => Out::Bool(*b),
        Value::Number(n) => Out::Int(n.as_i64().unwrap_or_default()),
        Value::String(s) => Out::str(s.as_str()),
        Value::Array(items) => Out::Seq(items.iter().map(out).collect()),
        Value::Object(map) => Out::Map(
            map.iter()
                .map(|(k, v)| (Out::str(k.as_str()), out(v)))
                .collect(),
        ),
    }
}

/// The KubeStash blueprint: one session, a repository per target from variables.
fn kubestash_blueprint() -> Value {
    let path = "blueprints/databases-nightly.yaml";
    json!({
        "apiVersion": "core.kubestash.com/v1alpha1",
        "kind": "BackupBlueprint",
        "metadata": {"name": "databases-nightly", "namespace": "backup", "annotations": {
            "config.kubernetes.io/local-config": "true",
            "config.kubernetes.io/path": path,
            "internal.config.kubernetes.io/path": path,
        }},
        "spec": {
            "usagePolicy": {"allowedNamespaces": {"from": "All"}},
            "backupConfigurationTemplate": {
                "namespace": "backup",
                "deletionPolicy": "OnDelete",
                "backends": [{
                    "name": "s3",
                    "storageRef": {"namespace": "backup", "name": "s3-storage"},
                    "retentionPolicy": {"namespace": "backup", "name": "keep-a-month"},
                }],
                "sessions": [{
                    "name": "nightly",
                    "scheduler": {"schedule": "30 1 * * *", "jobTemplate": {"backoffLimit": 1}},
                    "repositories": [{
                        "name": "${namespace}-${name}",
                        "backend": "s3",
                        "directory": "/databases/${namespace}/${name}",
                        "encryptionSecret": {"namespace": "backup", "name": "restic-password"},
                    }],
                    "addon": {"name": "${addon}", "tasks": [{"name": "logical-backup"}]},
                }],
            },
        },
    })
}

/// `count` items (four of them blueprints), as JSON or block YAML.
pub fn resource_list(count: usize, json: bool) -> String {
    let mut items = vec![
        blueprint(
            "pg-daily",
            json!({"s3": {"endpoint": "s3.amazonaws.com", "bucket": "backups",
                          "prefix": "${TARGET_NAMESPACE}/${TARGET_APP_RESOURCE}/${TARGET_NAME}"},
                   "storageSecretName": "s3-secret"}),
            "30 2 * * *",
            json!({"name": "postgres-backup-${TARGET_APP_VERSION}"}),
            json!({"name": "keep-two-weeks", "keepDaily": 14, "prune": true}),
        ),
        blueprint(
            "pg-weekly",
            json!({"gcs": {"bucket": "archive", "prefix": "weekly/${TARGET_NAMESPACE}/${TARGET_NAME}"},
                   "storageSecretName": "gcs-secret"}),
            "0 3 * * sun",
            json!({"name": "postgres-backup-${TARGET_APP_VERSION}"}),
            json!({"name": "keep-weeks", "keepWeekly": 8, "prune": true}),
        ),
        blueprint(
            "files-daily",
            json!({"gcs": {"bucket": "files", "prefix": "${TARGET_NAMESPACE}/${TARGET_KIND}/${TARGET_NAME}"},
                   "storageSecretName": "gcs-secret"}),
            "15 1 * * *",
            json!({}),
            json!({"name": "keep-a-week", "keepDaily": 7, "prune": true}),
        ),
        kubestash_blueprint(),
    ];
    items.extend((0..count.saturating_sub(items.len())).map(item));
    let mut text = String::new();
    if json {
        text.push_str(
            "{\"apiVersion\":\"config.kubernetes.io/v1\",\"kind\":\"ResourceList\",\"items\":[\n",
        );
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                text.push_str(",\n");
            }
            text.push_str(&serde_json::to_string(item).expect("json"));
        }
        text.push_str("\n]}\n");
    } else {
        text.push_str("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n");
        emit::block_seq_items(&mut text, &items.iter().map(out).collect::<Vec<_>>(), 0);
    }
    text
}

/// The backup policies of the policy benchmark (docs/policy.md, P8): every database and every
/// workload and claim must be backed up daily, restorable a week back, with one copy. Warnings,
/// so that the run writes its output as a passing one does.
const POLICIES: &str = "[\
    {name: databases, severity: warning, \
     require: {backup: true, maxInterval: 1d, minRetention: 7d, minCopies: 1}}, \
    {name: workloads, severity: warning, \
     select: {kinds: [Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, \
                      DeploymentConfig, PersistentVolumeClaim]}, \
     require: {backup: true, maxInterval: 1d, minRetention: 7d, minCopies: 1}}]";

/// `list` (a ResourceList [`resource_list`] wrote) with a functionConfig holding [`POLICIES`].
pub fn with_policies(mut list: String, json: bool) -> String {
    let config = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "policies"},
        "data": {"policies": POLICIES},
    });
    if json {
        let end = list.rfind("]}").expect("the list's end");
        list.truncate(end);
        list.push_str(&format!("],\"functionConfig\":{config}}}\n"));
    } else {
        let text = serde_json::to_string(POLICIES).expect("json");
        list.push_str(&format!(
            "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {{name: policies}}\n  data:\n    policies: {text}\n"
        ));
    }
    list
}
