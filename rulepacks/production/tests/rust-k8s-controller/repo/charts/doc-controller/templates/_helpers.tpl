{{- define "controller.fullname" -}}
{{- .Chart.Name }}
{{- end }}
{{- define "controller.tag" -}}
{{- .Values.version | default .Chart.AppVersion }}
{{- end }}
