{{/* Chart name, at most 63 characters. */}}
{{- define "bunting.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: the release name, plus the chart name unless the release name already contains it. */}}
{{- define "bunting.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "bunting.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bunting.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "bunting.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "bunting.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: bunting
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Label keys the chart sets itself; commonLabels, podLabels and deploymentLabels may not set them. */}}
{{- define "bunting.ownLabelKeys" -}}
helm.sh/chart app.kubernetes.io/name app.kubernetes.io/instance app.kubernetes.io/version app.kubernetes.io/managed-by app.kubernetes.io/part-of app.kubernetes.io/component
{{- end -}}

{{/*
The annotations block of an object's metadata: commonAnnotations plus the object's own ("extra", which wins on a
clash); nothing when both are empty. Call as (dict "ctx" $ "extra" .Values.x.annotations).
*/}}
{{- define "bunting.annotations" -}}
{{- $all := merge (deepCopy (default (dict) .extra)) (deepCopy (default (dict) .ctx.Values.commonAnnotations)) -}}
{{- with $all -}}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end -}}
{{- end -}}

{{/* Flagger's chart names, so that a Flagger affinity value (rendered with tpl) finds them. */}}
{{- define "flagger.name" -}}{{ include "bunting.name" . }}{{- end -}}
{{- define "flagger.fullname" -}}{{ include "bunting.fullname" . }}{{- end -}}

{{- define "bunting.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "bunting.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "bunting.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* The chart's own Secret holds webhook URLs given as plain values (never put into the pod spec). */}}
{{- define "bunting.secretName" -}}
{{- printf "%s-notifiers" (include "bunting.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "bunting.needsSecret" -}}
{{- if or (and .Values.slack.url (not .Values.slack.existingSecret)) (and .Values.msteams.url (not .Values.msteams.existingSecret)) (and .Values.eventWebhook (not .Values.eventWebhookSecret.name)) -}}
true
{{- end -}}
{{- end -}}

{{/* Where the GitSync mirrors live: an emptyDir mounted here. */}}
{{- define "bunting.gitCacheMount" -}}/var/cache/bunting{{- end -}}

{{/* True when the install is namespaced (watches one namespace, Roles instead of ClusterRoles). */}}
{{- define "bunting.namespaced" -}}
{{- if .Values.namespace -}}true{{- end -}}
{{- end -}}

{{/*
RBAC rules of the canary engine. One list, rendered into a ClusterRole or, for a namespaced install, a Role.
Every rule is exercised by src/controller/src/test/java/dev/bunting/chart/ChartRbacClusterTest.java (kubectl auth can-i against a real API
server) and by the controller itself in ChartRbacControllerTest.java: change them together.
*/}}
{{/* The UI's cluster-scoped rules: who holds a bearer token (TokenReview), and may that user act (SAR). */}}
{{- define "bunting.rules.uiReviews" -}}
- apiGroups: ["authentication.k8s.io"]
  resources: ["tokenreviews"]
  verbs: ["create"]
- apiGroups: ["authorization.k8s.io"]
  resources: ["subjectaccessreviews"]
  verbs: ["create"]
{{- end -}}

{{- define "bunting.rules.canary" -}}
# Canary, MetricTemplate, AlertProvider: watched (informer caches)
- apiGroups: ["flagger.app"]
  resources: ["canaries", "metrictemplates", "alertproviders"]
  verbs: ["get", "list", "watch"]
# Canary finalizer (finalizer.flagger.app, with revertOnDeletion): the controller updates metadata.finalizers
- apiGroups: ["flagger.app"]
  resources: ["canaries"]
  verbs: ["update"]
# Canary status (phase, weights, conditions)
- apiGroups: ["flagger.app"]
  resources: ["canaries/status"]
  verbs: ["get", "update", "patch"]
# owner references with blockOwnerDeletion to a Canary (OwnerReferencesPermissionEnforcement)
- apiGroups: ["flagger.app"]
  resources: ["canaries/finalizers"]
  verbs: ["update"]
# targets and primaries: watched; the primary is created and scaled with server-side apply (create + patch); a
# DaemonSet canary is scaled to zero by a node selector, added and removed with patches
- apiGroups: ["apps"]
  resources: ["deployments", "daemonsets", "statefulsets"]
  verbs: ["get", "list", "watch", "create", "patch"]
# Knative targets (provider knative): the Service's spec.traffic and primary-revision annotation are patched;
# Revisions are read for readiness
- apiGroups: ["serving.knative.dev"]
  resources: ["services"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["serving.knative.dev"]
  resources: ["revisions"]
  verbs: ["get", "list", "watch"]
# autoscalerRef with a KEDA ScaledObject: copied to <name>-primary (server-side apply); the canary's is paused and
# resumed with patches (autoscaling.keda.sh/paused-replicas)
- apiGroups: ["keda.sh"]
  resources: ["scaledobjects"]
  verbs: ["get", "list", "watch", "create", "patch"]
# MetricTemplates of type keptn: a KeptnMetric's value is read; an Analysis is created, read until done, deleted
- apiGroups: ["metrics.keptn.sh"]
  resources: ["keptnmetrics"]
  verbs: ["get"]
- apiGroups: ["metrics.keptn.sh"]
  resources: ["analyses"]
  verbs: ["get", "create", "delete"]
# the target's ReplicaSets, read once per revision for its pod-template-hash (builtin queries select that revision's pods)
- apiGroups: ["apps"]
  resources: ["replicasets"]
  verbs: ["list"]
# apex, -primary and -canary Services (server-side apply)
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "create", "patch"]
# config tracking: ConfigMaps and Secrets the target mounts are watched and, unless configTracking.enabled=false,
# copied to <name>-primary (server-side apply); Secrets are also read for AlertProvider and MetricTemplate credentials
- apiGroups: [""]
  resources: ["configmaps", "secrets"]
  verbs: ["get", "list", "watch"{{ if .Values.configTracking.enabled }}, "create", "patch"{{ end }}]
# autoscalerRef: the target's HPA is watched and copied to <hpa>-primary (server-side apply)
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["get", "list", "watch", "create", "patch"]
# Kubernetes Events on Canaries; a repeat raises the count of the existing Event (get after a restart, patch); the UI
# (ui.enabled) lists a canary's Events when its page is opened
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "get", "patch"{{ if .Values.ui.enabled }}, "list"{{ end }}]
{{- if .Values.ui.enabled }}
# UI actions (ui.enabled): the bunting.dev/action annotation, written for users allowed to patch the Canary themselves
- apiGroups: ["flagger.app"]
  resources: ["canaries"]
  verbs: ["patch"]
{{- if not (include "bunting.namespaced" .) }}
{{ include "bunting.rules.uiReviews" . }}
{{- end }}
{{- end }}
# Routers (docs/routing.md): each provider's routing objects are watched and server-side applied; the objects a
# router starts from (nginx and skipper: spec.ingressRef; apisix: spec.routeRef; gloo: spec.upstreamRef; istio: a
# VirtualService it takes over) are read from the same watches. Kinds a cluster does not have are simply not watched.
# Gateway API and linkerd: HTTPRoutes
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["httproutes"]
  verbs: ["get", "list", "watch", "create", "patch"]
# istio: VirtualService and DestinationRules
- apiGroups: ["networking.istio.io"]
  resources: ["virtualservices", "destinationrules"]
  verbs: ["get", "list", "watch", "create", "patch"]
# smi:v1alpha1|2|3 and osm: TrafficSplits
- apiGroups: ["split.smi-spec.io"]
  resources: ["trafficsplits"]
  verbs: ["get", "list", "watch", "create", "patch"]
# traefik: TraefikServices
- apiGroups: ["traefik.io"]
  resources: ["traefikservices"]
  verbs: ["get", "list", "watch", "create", "patch"]
# kuma: TrafficRoutes (cluster-scoped: a namespaced install cannot route with kuma)
- apiGroups: ["kuma.io"]
  resources: ["trafficroutes"]
  verbs: ["get", "list", "watch", "create", "patch"]
# nginx and skipper: the canary Ingress cloned from spec.ingressRef
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses"]
  verbs: ["get", "list", "watch", "create", "patch"]
# contour: HTTPProxies
- apiGroups: ["projectcontour.io"]
  resources: ["httpproxies"]
  verbs: ["get", "list", "watch", "create", "patch"]
# gloo: RouteTables and Upstreams
- apiGroups: ["gateway.solo.io"]
  resources: ["routetables"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: ["gloo.solo.io"]
  resources: ["upstreams"]
  verbs: ["get", "list", "watch", "create", "patch"]
# apisix: the canary ApisixRoute cloned from spec.routeRef
- apiGroups: ["apisix.apache.org"]
  resources: ["apisixroutes"]
  verbs: ["get", "list", "watch", "create", "patch"]
{{- end -}}

{{/* RBAC rules of the GitSync engine itself (what it applies from Git needs more: see gitsync.* values). */}}
{{- define "bunting.rules.gitsync" -}}
# GitSync: watched; its finalizer added and removed (update); status (inventory, conditions) patched; a push webhook
# received by a replica or shard that does not sync the GitSync is handed over by patching its reconcile-request
# annotation
- apiGroups: ["bunting.dev"]
  resources: ["gitsyncs"]
  verbs: ["get", "list", "watch", "update", "patch"]
- apiGroups: ["bunting.dev"]
  resources: ["gitsyncs/status"]
  verbs: ["get", "update", "patch"]
# ImagePolicy: watched; status (latest image, last push) written
- apiGroups: ["bunting.dev"]
  resources: ["imagepolicies"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["bunting.dev"]
  resources: ["imagepolicies/status"]
  verbs: ["get", "update", "patch"]
# Git credentials (spec.secretRef), receiver tokens and registry credentials (ImagePolicy spec.secretRef), read
# when needed
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
# HPA-managed workloads: GitSync never applies their spec.replicas
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["get", "list", "watch"]
# Kubernetes Events on GitSyncs; a repeat raises the count of the existing Event (get after a restart, patch)
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "get", "patch"]
{{- end -}}

{{/*
The kinds GitSync follows (list and watch under the controller's own identity: drift and health of what it applied)
unless gitsync.watchAll is set: what application repositories usually hold. Deliberately not Secrets, Pods or any
kind whose objects carry credentials. Cluster-scoped kinds only for a cluster-wide install (a namespaced install
manages namespaced objects only). GitSyncs and HPAs are in bunting.rules.gitsync already; the canary engine's kinds
are repeated so that this role stands on its own. More kinds: gitsync.watchResources.
*/}}
{{- define "bunting.rules.gitsyncWatch" -}}
# GitSync follows what it applied (drift and health) with watches: the kinds GitSyncs usually apply
- apiGroups: [""]
  resources: ["configmaps", "services", "serviceaccounts", "persistentvolumeclaims", "limitranges", "resourcequotas"]
  verbs: ["list", "watch"]
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets", "daemonsets"]
  verbs: ["list", "watch"]
- apiGroups: ["batch"]
  resources: ["jobs", "cronjobs"]
  verbs: ["list", "watch"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["list", "watch"]
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses", "networkpolicies"]
  verbs: ["list", "watch"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["roles", "rolebindings"{{ if not (include "bunting.namespaced" .) }}, "clusterroles", "clusterrolebindings"{{ end }}]
  verbs: ["list", "watch"]
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["gateways", "httproutes", "grpcroutes", "referencegrants"]
  verbs: ["list", "watch"]
- apiGroups: ["monitoring.coreos.com"]
  resources: ["servicemonitors", "podmonitors", "prometheusrules"]
  verbs: ["list", "watch"]
- apiGroups: ["flagger.app"]
  resources: ["canaries", "metrictemplates", "alertproviders"]
  verbs: ["list", "watch"]
{{- if not (include "bunting.namespaced" .) }}
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["list", "watch"]
- apiGroups: ["apiextensions.k8s.io"]
  resources: ["customresourcedefinitions"]
  verbs: ["list", "watch"]
{{- end }}
{{- with .Values.gitsync.watchResources }}
# gitsync.watchResources: further kinds GitSyncs apply
{{- range . }}
- apiGroups: {{ toJson .apiGroups }}
  resources: {{ toJson .resources }}
  verbs: ["list", "watch"]
{{- end }}
{{- end }}
{{- end -}}

{{/* List and watch every resource type (gitsync.watchAll, opt-in). No "get": a wildcard "get" would also match
   subresources such as nodes/proxy and pods/exec. */}}
{{- define "bunting.rules.watchAll" -}}
# gitsync.watchAll: list and watch every resource type, Secrets included (GitSync follows the objects it applied)
- apiGroups: ["*"]
  resources: ["*"]
  verbs: ["list", "watch"]
{{- end -}}

{{/* Impersonating ServiceAccounts (GitSync spec.serviceAccountName). Groups are never impersonated. */}}
{{- define "bunting.rules.impersonate" -}}
# GitSync spec.serviceAccountName: apply as that ServiceAccount (impersonation; groups are never impersonated)
- apiGroups: [""]
  resources: ["serviceaccounts"]
  {{- with .Values.gitsync.impersonateServiceAccountNames }}
  resourceNames: {{ toJson . }}
  {{- end }}
  verbs: ["impersonate"]
{{- end -}}

{{/* The load tester (loadtester.enabled): its name, selector labels (distinct from the controller's, so neither
   Deployment nor Service selects the other's pods) and labels. */}}
{{- define "bunting.loadtester.fullname" -}}
{{- printf "%s-loadtester" (include "bunting.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "bunting.loadtester.selectorLabels" -}}
app.kubernetes.io/name: {{ printf "%s-loadtester" (include "bunting.name" .) | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "bunting.loadtester.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "bunting.loadtester.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: bunting
app.kubernetes.io/component: loadtester
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "bunting.loadtester.serviceAccountName" -}}
{{- default (include "bunting.loadtester.fullname" .) .Values.loadtester.serviceAccountName -}}
{{- end -}}

{{/* True when the load tester needs API access: gates in a ConfigMap or rules for kubectl/helm tasks. */}}
{{- define "bunting.loadtester.needsApi" -}}
{{- if or .Values.loadtester.gates.configMap (and .Values.loadtester.rbac.create .Values.loadtester.rbac.rules) -}}true{{- end -}}
{{- end -}}

{{/*
Sharding (sharding.shards). Each of these takes (dict "ctx" $ "shard" "<name>"), shard "" for the main Deployment.
*/}}
{{/* The Deployment's name, also its Lease's: <fullname> or <fullname>-<shard>. */}}
{{- define "bunting.deploymentName" -}}
{{- if .shard -}}
{{- printf "%s-%s" (include "bunting.fullname" .ctx) .shard | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- include "bunting.fullname" .ctx -}}
{{- end -}}
{{- end -}}

{{/* Pod selector labels: the main Deployment's are bunting.selectorLabels (immutable since the first release); a
   shard's differ in app.kubernetes.io/name, so that the main Deployment and Service never select a shard's pods. */}}
{{- define "bunting.podSelectorLabels" -}}
{{- if .shard -}}
app.kubernetes.io/name: {{ printf "%s-shard" (include "bunting.name" .ctx) | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
bunting.dev/shard: {{ .shard }}
{{- else -}}
{{ include "bunting.selectorLabels" .ctx }}
{{- end -}}
{{- end -}}

{{/* --watch-label-selector: <key>=<shard> for a shard; <key> notin (<shards>) for the main Deployment when there are
   shards (it takes everything not labelled for one); empty otherwise. */}}
{{- define "bunting.shardSelector" -}}
{{- $key := .ctx.Values.sharding.key -}}
{{- if .shard -}}
{{- printf "%s=%s" $key .shard -}}
{{- else if .ctx.Values.sharding.shards -}}
{{- printf "%s notin (%s)" $key (join "," .ctx.Values.sharding.shards) -}}
{{- end -}}
{{- end -}}

{{/* The main Deployment and every shard's, as a list of (dict "ctx" $ "shard" ...). */}}
{{- define "bunting.deploymentShards" -}}
{{- $all := list "" -}}
{{- range .Values.sharding.shards }}{{ $all = append $all . }}{{ end -}}
{{- toJson $all -}}
{{- end -}}
