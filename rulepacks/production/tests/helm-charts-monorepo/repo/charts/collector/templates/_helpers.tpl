{{- define "collector.fullname" -}}
{{- printf "%s-collector" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "collector.podSpec" -}}
containers:
  - name: collector
    image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
    ports:
      - {name: otlp, containerPort: {{ .Values.ports.otlp.containerPort }}}
    livenessProbe:
      httpGet: {path: /, port: 13133}
    readinessProbe:
      httpGet: {path: /, port: 13133}
    resources:
      {{- toYaml .Values.resources | nindent 6 }}
{{- end }}
