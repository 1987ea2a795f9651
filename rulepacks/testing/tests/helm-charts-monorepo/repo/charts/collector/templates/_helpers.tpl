{{- define "collector.fullname" -}}
{{- printf "%s-collector" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
