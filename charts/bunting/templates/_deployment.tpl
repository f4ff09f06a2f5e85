{{/*
The controller's Deployment: the main one (shard "") or a shard's (sharding.shards). Call as
(dict "ctx" $ "shard" "<name or empty>"). A shard's pods carry their own selector labels (bunting.podSelectorLabels),
so that no two Deployments select each other's pods.
*/}}
{{- define "bunting.deployment" -}}
{{- $ctx := .ctx -}}
{{- $shard := .shard -}}
{{- $args := . -}}
{{- $name := include "bunting.deploymentName" $args -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  namespace: {{ $ctx.Release.Namespace }}
  {{- with include "bunting.annotations" (dict "ctx" $ctx "extra" $ctx.Values.annotations) }}
  {{- . | nindent 2 }}
  {{- end }}
  labels:
    {{- include "bunting.labels" $ctx | nindent 4 }}
    app.kubernetes.io/component: controller
    {{- with $shard }}
    bunting.dev/shard: {{ . }}
    {{- end }}
    {{- with $ctx.Values.deploymentLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  {{- if $ctx.Values.leaderElection.enabled }}
  # Replicas elect a leader (a Lease): a rolling update starts a new replica, which becomes Ready as a standby (its
  # caches loaded), before it stops an old one; a stopping leader releases the Lease, so a standby takes over at once.
  replicas: {{ $ctx.Values.leaderElection.replicaCount }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  {{- else }}
  # Without leader election: exactly one replica, and Recreate makes sure an upgrade never runs the old and the new
  # controller side by side.
  replicas: 1
  strategy:
    type: Recreate
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "bunting.podSelectorLabels" $args | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "bunting.podSelectorLabels" $args | nindent 8 }}
        app.kubernetes.io/component: controller
        {{- with merge (deepCopy (default (dict) $ctx.Values.podLabels)) (deepCopy (default (dict) $ctx.Values.commonLabels)) }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        {{- if (include "bunting.needsSecret" $ctx) }}
        # restart on a changed webhook URL
        checksum/secret: {{ include (print $ctx.Template.BasePath "/secret.yaml") $ctx | sha256sum }}
        {{- end }}
        {{- with $ctx.Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "bunting.serviceAccountName" $ctx }}
      automountServiceAccountToken: true
      enableServiceLinks: false
      terminationGracePeriodSeconds: 30
      {{- with $ctx.Values.podPriorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      {{- with $ctx.Values.image.pullSecret }}
      imagePullSecrets:
        - name: {{ . }}
      {{- end }}
      {{- with $ctx.Values.podSecurityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: bunting
          image: {{ include "bunting.image" $ctx | quote }}
          imagePullPolicy: {{ $ctx.Values.image.pullPolicy }}
          args:
            - controller
            - --port=8080
            - --log-format={{ $ctx.Values.logFormat }}
            # Flagger's "warning" is Bunting's "warn"
            - --log-level={{ eq $ctx.Values.logLevel "warning" | ternary "warn" $ctx.Values.logLevel }}
            - --ui={{ $ctx.Values.ui.enabled }}
            {{- if not $ctx.Values.configTracking.enabled }}
            - --enable-config-tracking=false
            {{- end }}
            {{- with $ctx.Values.metricsServer }}
            - --metrics-server={{ . }}
            {{- end }}
            {{- with $ctx.Values.meshProvider }}
            - --mesh-provider={{ . }}
            {{- end }}
            {{- with $ctx.Values.ingressAnnotationsPrefix }}
            - --ingress-annotations-prefix={{ . }}
            {{- end }}
            {{- with $ctx.Values.ingressClass }}
            - --ingress-class={{ . }}
            {{- end }}
            {{- with $ctx.Values.namespace }}
            - --namespace={{ . }}
            {{- end }}
            {{- with $ctx.Values.selectorLabels }}
            - --selector-labels={{ . }}
            {{- end }}
            - --max-concurrent-reconciles={{ $ctx.Values.maxConcurrentReconciles }}
            - --max-concurrent-syncs={{ $ctx.Values.maxConcurrentSyncs }}
            {{- if gt (int $ctx.Values.maxProgressingCanaries) 0 }}
            - --max-progressing-canaries={{ $ctx.Values.maxProgressingCanaries }}
            {{- end }}
            {{- with $ctx.Values.clusterName }}
            - --cluster-name={{ . }}
            {{- end }}
            {{- with $ctx.Values.slack.channel }}
            - --slack-channel={{ . }}
            {{- end }}
            {{- with $ctx.Values.slack.user }}
            - --slack-user={{ . }}
            {{- end }}
            {{- if ne (toString (default "" $ctx.Values.kubeconfigQPS)) "" }}
            - --kube-api-qps={{ $ctx.Values.kubeconfigQPS }}
            {{- end }}
            {{- if ne (toString (default "" $ctx.Values.kubeconfigBurst)) "" }}
            - --kube-api-burst={{ $ctx.Values.kubeconfigBurst }}
            {{- end }}
            - --git-cache-dir={{ include "bunting.gitCacheMount" $ctx }}/git
            {{- if $ctx.Values.leaderElection.enabled }}
            - --leader-elect
            - --leader-election-id={{ $name }}
            - --leader-election-lease-duration={{ $ctx.Values.leaderElection.leaseDuration }}
            - --leader-election-renew-deadline={{ $ctx.Values.leaderElection.renewDeadline }}
            - --leader-election-retry-period={{ $ctx.Values.leaderElection.retryPeriod }}
            {{- end }}
            {{- with include "bunting.shardSelector" $args }}
            - --watch-label-selector={{ . }}
            {{- end }}
            {{- with $ctx.Values.extraArgs }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          env:
            # the reporting instance of the Events Bunting records
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            - name: POD_NAMESPACE
              valueFrom:
                fieldRef:
                  fieldPath: metadata.namespace
            {{- with trim $ctx.Values.jvmOptions }}
            # read by the java launcher after the image's defaults (JAVA_TOOL_OPTIONS), so these override them
            - name: JDK_JAVA_OPTIONS
              value: {{ . | quote }}
            {{- end }}
            {{- if $ctx.Values.slack.existingSecret }}
            - name: SLACK_URL
              valueFrom:
                secretKeyRef:
                  name: {{ $ctx.Values.slack.existingSecret }}
                  key: {{ $ctx.Values.slack.existingSecretKey }}
            {{- else if $ctx.Values.slack.url }}
            - name: SLACK_URL
              valueFrom:
                secretKeyRef:
                  name: {{ include "bunting.secretName" $ctx }}
                  key: slack-url
            {{- end }}
            {{- if $ctx.Values.msteams.existingSecret }}
            - name: MSTEAMS_URL
              valueFrom:
                secretKeyRef:
                  name: {{ $ctx.Values.msteams.existingSecret }}
                  key: {{ $ctx.Values.msteams.existingSecretKey }}
            {{- else if $ctx.Values.msteams.url }}
            - name: MSTEAMS_URL
              valueFrom:
                secretKeyRef:
                  name: {{ include "bunting.secretName" $ctx }}
                  key: msteams-url
            {{- end }}
            {{- if $ctx.Values.eventWebhookSecret.name }}
            - name: EVENT_WEBHOOK_URL
              valueFrom:
                secretKeyRef:
                  name: {{ $ctx.Values.eventWebhookSecret.name }}
                  key: {{ $ctx.Values.eventWebhookSecret.key }}
            {{- else if $ctx.Values.eventWebhook }}
            - name: EVENT_WEBHOOK_URL
              valueFrom:
                secretKeyRef:
                  name: {{ include "bunting.secretName" $ctx }}
                  key: event-webhook-url
            {{- end }}
            {{- with $ctx.Values.env }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          startupProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 2
            failureThreshold: 60
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 10
            timeoutSeconds: 5
            failureThreshold: 3
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            periodSeconds: 5
            timeoutSeconds: 5
            failureThreshold: 3
          {{- with $ctx.Values.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- if $ctx.Values.securityContext.enabled }}
          {{- with $ctx.Values.securityContext.context }}
          securityContext:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- end }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            - name: git-cache
              mountPath: {{ include "bunting.gitCacheMount" $ctx }}
            {{- with $ctx.Values.additionalVolumeMounts }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $ctx.Values.tmpSizeLimit }}
        - name: git-cache
          emptyDir:
            sizeLimit: {{ $ctx.Values.gitsync.cacheSizeLimit }}
        {{- with $ctx.Values.additionalVolumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $ctx.Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $ctx.Values.affinity }}
      # rendered with tpl, as Flagger's chart does: its default anti-affinity names {{ "{{" }} template "flagger.name" . {{ "}}" }}
      affinity:
        {{- tpl (toYaml .) $ctx | nindent 8 }}
      {{- end }}
      {{- with $ctx.Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}
