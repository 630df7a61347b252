{{/*
Helpers. The chart uses a small template subset on purpose (define/include, if/else/range/with,
dict, has, and/or/not/eq, default, required, quote, printf, trunc, trimSuffix, toYaml, nindent):
test/deploy-chart.test.ts renders exactly this subset without a helm binary.
*/}}

{{- define "portcullis.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "portcullis.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "portcullis.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{ include "portcullis.selectorLabels" . }}
{{- end -}}

{{- define "portcullis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "portcullis.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "portcullis.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The Secret holding every item of .Values.secrets.items (chart-rendered, ExternalSecret-filled or existing). */}}
{{- define "portcullis.secretName" -}}
{{- if or .Values.externalSecrets.enabled .Values.secrets.create -}}
{{- include "portcullis.fullname" . }}-secrets
{{- else -}}
{{- required "secrets.existingSecret is required when secrets.create and externalSecrets.enabled are both false" .Values.secrets.existingSecret -}}
{{- end -}}
{{- end -}}

{{/* Non-secret configuration as environment variables (every process). */}}
{{- define "portcullis.configEnv" -}}
{{- range $name, $value := .Values.config }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* NAME_FILE for each enabled secret the service (dict "root" . "service" NAME) uses. */}}
{{- define "portcullis.secretEnv" -}}
{{- range $id, $item := .root.Values.secrets.items }}
{{- if and $item.enabled (has $.service $item.services) }}
- name: {{ $item.env }}_FILE
  value: /run/secrets/portcullis/{{ $item.key }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The secret volume: only the keys the service (dict "root" . "service" NAME) uses. Mode 0440 (decimal 288), group fsGroup. */}}
{{- define "portcullis.secretVolume" -}}
- name: secrets
  secret:
    secretName: {{ include "portcullis.secretName" .root }}
    defaultMode: 288
    items:
{{- range $id, $item := .root.Values.secrets.items }}
{{- if and $item.enabled (has $.service $item.services) }}
      - key: {{ $item.key }}
        path: {{ $item.key }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "portcullis.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "portcullis.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Writable paths of a read-only root filesystem: the data dir and /tmp. */}}
{{- define "portcullis.volumeMounts" -}}
- name: data
  mountPath: /data
- name: tmp
  mountPath: /tmp
- name: secrets
  mountPath: /run/secrets/portcullis
  readOnly: true
{{- end -}}

{{- define "portcullis.baseEnv" -}}
- name: HOST
  value: "0.0.0.0"
- name: PORTCULLIS_DATA_DIR
  value: /data
{{- end -}}
