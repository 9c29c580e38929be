{{/* Names, labels, and the pieces every Atelier pod shares. */}}

{{- define "atelier.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* selector labels of one role: (dict "ctx" $ "role" "api") */}}
{{- define "atelier.selectorLabels" -}}
app.kubernetes.io/name: {{ .ctx.Chart.Name }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- with .pool }}
atelier.dev/gpu-pool: {{ . }}
{{- end }}
{{- end -}}

{{- define "atelier.labels" -}}
{{ include "atelier.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version }}
{{- end -}}

{{- define "atelier.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "atelier.dataClaim" -}}
{{ .Values.persistence.data.existingClaim | default (printf "%s-data" (include "atelier.fullname" .)) }}
{{- end -}}

{{/* the in-cluster Service of a pool's ComfyUI sidecars: (dict "ctx" $ "pool" $pool) */}}
{{- define "atelier.comfyService" -}}
{{ printf "%s-comfyui-%s" (include "atelier.fullname" .ctx) .pool.name | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{/* ATELIER_GPU_POOLS: each pool's ComfyUI; a GPU worker sees its own node's sidecar on 127.0.0.1 (dict "ctx" $ "own" "<pool>") */}}
{{- define "atelier.gpuPools" -}}
{{- $ctx := .ctx -}}
{{- $own := .own -}}
{{- $entries := list -}}
{{- range $ctx.Values.gpuPools -}}
{{- $url := .comfyui.url -}}
{{- if .comfyui.sidecar -}}
{{- $port := .comfyui.sidecar.port | default 8188 | int -}}
{{- if eq .name $own -}}
{{- $url = printf "http://127.0.0.1:%d" $port -}}
{{- else -}}
{{- $url = printf "http://%s.%s.svc.cluster.local:%d" (include "atelier.comfyService" (dict "ctx" $ctx "pool" .)) $ctx.Release.Namespace $port -}}
{{- end -}}
{{- end -}}
{{- $entries = append $entries (printf "%s=%s" .name $url) -}}
{{- end -}}
{{- join "," $entries -}}
{{- end -}}

{{/* The environment of every Atelier container: (dict "ctx" $ "pool" $pool-or-nil) */}}
{{- define "atelier.env" -}}
{{- $ctx := .ctx -}}
{{- $v := $ctx.Values -}}
{{- $own := "" -}}
{{- if .pool }}{{ $own = .pool.name }}{{ end -}}
- name: DATA_DIR
  value: /data
- name: ATELIER_LOG_FILES
  value: "false"
- name: LOG_LEVEL
  value: {{ $v.logLevel | quote }}
- name: TEMPORAL_ADDRESS
  value: {{ $v.temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ $v.temporal.namespace | quote }}
- name: TEMPORAL_TLS
  value: {{ $v.temporal.tls | toString | quote }}
- name: TEMPORAL_UI_URL
  value: {{ $v.temporal.webUrl | default "none" | quote }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef: { name: {{ $v.database.existingSecret | quote }}, key: {{ $v.database.key | quote }} }
- name: OPENAI_BASE_URL
  value: {{ $v.llm.baseUrl | quote }}
{{- if $v.llm.existingSecret }}
- name: OPENAI_API_KEY
  valueFrom:
    secretKeyRef: { name: {{ $v.llm.existingSecret | quote }}, key: {{ $v.llm.key | quote }} }
{{- end }}
- name: ATELIER_LLM_MODEL
  value: {{ $v.llm.models.text | quote }}
- name: ATELIER_VISION_MODEL
  value: {{ $v.llm.models.vision | quote }}
- name: ATELIER_IMAGE_EDIT_MODEL
  value: {{ $v.llm.models.imageEdit | quote }}
- name: ATELIER_API_TOKEN
  valueFrom:
    secretKeyRef: { name: {{ $v.api.existingSecret | quote }}, key: {{ $v.api.tokenKey | quote }} }
{{- if $v.gpuPools }}
- name: ATELIER_GPU_POOLS
  value: {{ include "atelier.gpuPools" (dict "ctx" $ctx "own" $own) | quote }}
- name: ATELIER_DEFAULT_POOL
  value: {{ $v.defaultPool | default (first $v.gpuPools).name | quote }}
{{- end }}
{{- with .pool }}
- name: ATELIER_COMFY_INFLIGHT
  value: {{ .inflight | default 2 | quote }}
{{- if .trainerCommand }}
- name: ATELIER_TRAINER_COMMAND
  value: {{ .trainerCommand | quote }}
{{- end }}
{{- end }}
{{- range $name, $value := $v.extraEnv }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{- define "atelier.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/* pod-level settings every Atelier pod shares */}}
{{- define "atelier.podSettings" -}}
automountServiceAccountToken: false
securityContext:
  runAsNonRoot: true
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
  seccompProfile:
    type: RuntimeDefault
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- end -}}

{{- define "atelier.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}

{{- define "atelier.dataVolume" -}}
- name: data
  persistentVolumeClaim:
    claimName: {{ include "atelier.dataClaim" . }}
{{- end -}}

{{- define "atelier.mounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /data
{{- end -}}

{{/* the image's container: (dict "ctx" $ "role" "api" "args" (list ...)) */}}
{{- define "atelier.container" -}}
- name: {{ .role }}
  image: {{ include "atelier.image" .ctx }}
  imagePullPolicy: {{ .ctx.Values.image.pullPolicy }}
  args: {{ toJson (prepend (.args | default list) .role) }}
  securityContext:
    {{- include "atelier.containerSecurityContext" . | nindent 4 }}
{{- end -}}
