package rtrule

import (
	"fmt"
	"strings"
	"sync"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// checks are the admission controller's checks by ID, at their latest
// version: the same functions kube-apiserver runs.
var checks = checksAt(api.LatestVersion())

// checksAt returns each check as admission runs it for a policy version
// (the pod-security.kubernetes.io/enforce-version label): the newest
// version of the check that is not newer than v. Checks that did not
// exist yet at v are left out.
func checksAt(v api.Version) map[string]policy.CheckPodFn {
	m := map[string]policy.CheckPodFn{}
	for _, c := range policy.DefaultChecks() {
		for _, vc := range c.Versions {
			if !v.Older(vc.MinimumVersion) {
				m[string(c.ID)] = vc.CheckPod
			}
		}
	}
	return m
}

var (
	versionsMu sync.Mutex
	versions   = map[api.Version]map[string]policy.CheckPodFn{}
)

// checksFor caches checksAt by version.
func checksFor(v api.Version) map[string]policy.CheckPodFn {
	if v.Latest() {
		return checks
	}
	versionsMu.Lock()
	defer versionsMu.Unlock()
	m, ok := versions[v]
	if !ok {
		m = checksAt(v)
		versions[v] = m
	}
	return m
}

// ParseVersion reads a Pod Security Standards version ("v1.35", "1.35",
// "latest").
func ParseVersion(s string) (api.Version, error) {
	if s != "" && s != "latest" && !strings.HasPrefix(s, "v") {
		s = "v" + s
	}
	if s == "" {
		s = "latest"
	}
	return api.ParseVersion(s)
}

// pss makes a Pod Security Standards rule: the check decides; podFields
// (relative to the pod spec) and containerField (relative to a container)
// say where to point.
func pss(r rule.Rule, level Level, check string, podFields []string, containerField string) *Rule {
	r.Kind = finding.KindMisconfiguration
	r.ExampleLang = "yaml"
	r.Aliases = append([]string{check}, r.Aliases...)
	r.References = append(r.References, "https://kubernetes.io/docs/concepts/security/pod-security-standards/")
	if checks[check] == nil {
		panic("rtrule: no Pod Security check " + check)
	}
	return &Rule{Rule: r, Level: level, workload: func(p *podPass) {
		if fn := p.checks[check]; fn != nil {
			p.pss(check, fn, podFields, containerField)
		}
	}}
}

// pss runs one admission check on the pod alone (pod-level fields), then,
// when that passes, on each container alone with the pod's settings: the
// admission decision is the check's; isolating the containers only says
// which one to point at.
func (p *podPass) pss(check string, fn policy.CheckPodFn, podFields []string, containerField string) {
	meta, spec := p.w.Meta, p.w.Spec
	if meta == nil {
		meta = &metav1.ObjectMeta{}
	}
	// Shallow copies: the admission checks only read the pod (the
	// admission library runs them all on one object), and deep copies were
	// a fifth of the audit's time.
	podOnly := *spec
	podOnly.Containers, podOnly.InitContainers, podOnly.EphemeralContainers = nil, nil, nil
	if r := fn(meta, &podOnly); !r.Allowed {
		where := ""
		if loc := podLocators[check]; loc != nil {
			where = loc(spec, reason(r))
		}
		for _, f := range podFields {
			if where != "" {
				break
			}
			if l := p.w.Line(f); l > 0 && l != p.w.Line("") {
				where = f
				break
			}
		}
		if where == "" && len(podFields) > 0 {
			where = podFields[0]
		}
		p.at(where, reason(r))
		return
	}
	visit := func(list string, n int, one func(i int) *corev1.PodSpec) {
		for i := 0; i < n; i++ {
			s := one(i)
			if r := fn(meta, s); !r.Allowed {
				field := containerField
				if loc := containerLocators[check]; loc != nil {
					if c := only(s); c != nil {
						if f := loc(c); f != "" {
							field = f
						}
					}
				}
				p.at(fmt.Sprintf("%s[%d]%s", list, i, dotted(field)), reason(r))
			}
		}
	}
	visit("containers", len(spec.Containers), func(i int) *corev1.PodSpec {
		s := podOnly
		s.Containers = spec.Containers[i : i+1]
		return &s
	})
	visit("initContainers", len(spec.InitContainers), func(i int) *corev1.PodSpec {
		s := podOnly
		s.InitContainers = spec.InitContainers[i : i+1]
		return &s
	})
	visit("ephemeralContainers", len(spec.EphemeralContainers), func(i int) *corev1.PodSpec {
		s := podOnly
		s.EphemeralContainers = spec.EphemeralContainers[i : i+1]
		return &s
	})
}

// only returns the one container of a pod spec made for one container.
func only(s *corev1.PodSpec) *corev1.Container {
	switch {
	case len(s.Containers) == 1:
		return &s.Containers[0]
	case len(s.InitContainers) == 1:
		return &s.InitContainers[0]
	case len(s.EphemeralContainers) == 1:
		c := corev1.Container(s.EphemeralContainers[0].EphemeralContainerCommon)
		return &c
	}
	return nil
}

// podLocators point a pod-level finding at the entry that caused it,
// not at the list or the first field of its control.
var podLocators = map[string]func(s *corev1.PodSpec, reason string) string{
	"hostNamespaces": func(s *corev1.PodSpec, _ string) string {
		switch {
		case s.HostNetwork:
			return "hostNetwork"
		case s.HostPID:
			return "hostPID"
		case s.HostIPC:
			return "hostIPC"
		}
		return ""
	},
	"hostPathVolumes": func(s *corev1.PodSpec, _ string) string {
		for i, v := range s.Volumes {
			if v.HostPath != nil {
				return fmt.Sprintf("volumes[%d].hostPath", i)
			}
		}
		return ""
	},
	"restrictedVolumes": func(s *corev1.PodSpec, reason string) string {
		for i, v := range s.Volumes {
			if strings.Contains(reason, fmt.Sprintf("%q", v.Name)) {
				return fmt.Sprintf("volumes[%d]", i)
			}
		}
		return ""
	},
	"sysctls": func(s *corev1.PodSpec, reason string) string {
		if s.SecurityContext == nil {
			return ""
		}
		for i, sc := range s.SecurityContext.Sysctls {
			if strings.Contains(reason, sc.Name) {
				return fmt.Sprintf("securityContext.sysctls[%d]", i)
			}
		}
		return ""
	},
}

// containerLocators do the same for a container's entry (relative to the
// container).
var containerLocators = map[string]func(c *corev1.Container) string{
	"hostPorts": func(c *corev1.Container) string {
		for i, port := range c.Ports {
			if port.HostPort != 0 {
				return fmt.Sprintf("ports[%d].hostPort", i)
			}
		}
		return ""
	},
	"hostProbesAndHostLifecycle": func(c *corev1.Container) string {
		handler := func(name string, h *corev1.ProbeHandler) string {
			switch {
			case h == nil:
			case h.HTTPGet != nil && h.HTTPGet.Host != "":
				return name + ".httpGet.host"
			case h.TCPSocket != nil && h.TCPSocket.Host != "":
				return name + ".tcpSocket.host"
			}
			return ""
		}
		for _, pr := range []struct {
			name string
			p    *corev1.Probe
		}{{"livenessProbe", c.LivenessProbe}, {"readinessProbe", c.ReadinessProbe}, {"startupProbe", c.StartupProbe}} {
			if pr.p != nil {
				if f := handler(pr.name, &pr.p.ProbeHandler); f != "" {
					return f
				}
			}
		}
		if l := c.Lifecycle; l != nil {
			for _, h := range []struct {
				name string
				h    *corev1.LifecycleHandler
			}{{"lifecycle.postStart", l.PostStart}, {"lifecycle.preStop", l.PreStop}} {
				if h.h == nil {
					continue
				}
				switch {
				case h.h.HTTPGet != nil && h.h.HTTPGet.Host != "":
					return h.name + ".httpGet.host"
				case h.h.TCPSocket != nil && h.h.TCPSocket.Host != "":
					return h.name + ".tcpSocket.host"
				}
			}
		}
		return ""
	},
}

func dotted(f string) string {
	if f == "" {
		return ""
	}
	return "." + f
}

func reason(r policy.CheckResult) string {
	if r.ForbiddenDetail == "" {
		return r.ForbiddenReason
	}
	return r.ForbiddenReason + ": " + r.ForbiddenDetail
}

func pssDoc(control string) string {
	return fmt.Sprintf("Pod Security Standards control %q. The decision is the Kubernetes admission controller's own (k8s.io/pod-security-admission).", control)
}

var pssRules = []*Rule{
	pss(rule.Rule{ID: "RT001", Severity: finding.High, Aliases: []string{"hostNetworkSet", "hostPIDSet", "hostIPCSet"},
		Title: "Pod shares the host's network, PID or IPC namespace (baseline)",
		Why:   "A pod in the host's network namespace sees every connection of the node and can bind its ports; in its PID namespace it sees and signals the node's processes; in its IPC namespace it reads shared memory of other processes. " + pssDoc("Host Namespaces"),
		Fix:   "Remove hostNetwork, hostPID and hostIPC (or set them to false).",
		Bad:   "spec:\n  hostNetwork: true\n  containers:\n  - name: app\n    image: app:1",
		Good:  "spec:\n  containers:\n  - name: app\n    image: app:1"},
		Baseline, "hostNamespaces", []string{"hostNetwork", "hostPID", "hostIPC"}, ""),
	pss(rule.Rule{ID: "RT002", Severity: finding.Critical, Aliases: []string{"runAsPrivileged", "container-security-context-privileged"},
		Title: "Privileged container (baseline)",
		Why:   "A privileged container has every capability and every device of the node: it is root on the node. " + pssDoc("Privileged Containers"),
		Fix:   "Remove securityContext.privileged, and add only the capabilities the process needs.",
		Bad:   "spec:\n  containers:\n  - name: app\n    image: app:1\n    securityContext:\n      privileged: true",
		Good:  "spec:\n  containers:\n  - name: app\n    image: app:1\n    securityContext:\n      privileged: false"},
		Baseline, "privileged", nil, "securityContext.privileged"),
	pss(rule.Rule{ID: "RT003", Severity: finding.High, Aliases: []string{"insecureCapabilities", "dangerousCapabilities"},
		Title: "Capabilities added beyond the baseline set (baseline)",
		Why:   "Capabilities such as SYS_ADMIN, NET_ADMIN or SYS_PTRACE give a container powers over the node's kernel that the default set leaves out. " + pssDoc("Capabilities"),
		Fix:   "Add only capabilities from the default set (NET_BIND_SERVICE and the like), or none.",
		Bad:   "spec:\n  containers:\n  - name: app\n    image: app:1\n    securityContext:\n      capabilities:\n        add: [SYS_ADMIN]",
		Good:  "spec:\n  containers:\n  - name: app\n    image: app:1\n    securityContext:\n      capabilities:\n        add: [NET_BIND_SERVICE]"},
		Baseline, "capabilities_baseline", nil, "securityContext.capabilities.add"),
	pss(rule.Rule{ID: "RT004", Severity: finding.High,
		Title: "hostPath volume (baseline)",
		Why:   "A hostPath volume mounts a directory of the node into the pod: the container can read the node's secrets or write to its system. " + pssDoc("HostPath Volumes"),
		Fix:   "Use a persistentVolumeClaim, configMap, secret or emptyDir volume instead.",
		Bad:   "spec:\n  volumes:\n  - name: host\n    hostPath:\n      path: /var/run\n  containers:\n  - name: app\n    image: app:1",
		Good:  "spec:\n  volumes:\n  - name: scratch\n    emptyDir: {}\n  containers:\n  - name: app\n    image: app:1"},
		Baseline, "hostPathVolumes", []string{"volumes"}, ""),
	pss(rule.Rule{ID: "RT005", Severity: finding.Medium, Aliases: []string{"hostPortSet"},
		Title: "Container port bound on the host (baseline)",
		Why:   "A hostPort opens the port on the node itself, past network policies, and ties the pod to nodes where the port is free. " + pssDoc("Host Ports"),
		Fix:   "Remove hostPort; expose the port with a Service.",
		Bad:   "spec:\n  containers:\n  - name: app\n    image: app:1\n    ports:\n    - containerPort: 8080\n      hostPort: 80",
		Good:  "spec:\n  containers:\n  - name: app\n    image: app:1\n    ports:\n    - containerPort: 8080"},
		Baseline, "hostPorts", nil, "ports"),
	pss(rule.Rule{ID: "RT006", Severity: finding.High,
		Title: "AppArmor profile other than the runtime default or a local one (baseline)",
		Why:   "An unconfined AppArmor profile turns off the mandatory access control that stops a compromised process. " + pssDoc("AppArmor"),
		Fix:   "Leave appArmorProfile unset, or use RuntimeDefault or Localhost.",
		Bad:   "spec:\n  securityContext:\n    appArmorProfile:\n      type: Unconfined\n  containers:\n  - name: app\n    image: app:1",
		Good:  "spec:\n  securityContext:\n    appArmorProfile:\n      type: RuntimeDefault\n  containers:\n  - name: app\n    image: app:1"},
		Baseline, "appArmorProfile", []string{"securityContext.appArmorProfile"}, "securityContext.appArmorProfile"),
	pss(rule.Rule{ID: "RT007", Severity: finding.High,
		Title: "Custom SELinux user, role or type (baseline)",
		Why:   "Setting a custom SELinux type or user can give the container a label that escapes confinement. " + pssDoc("SELinux"),
		Fix:   "Leave seLinuxOptions.type unset or one of container_t, container_init_t, container_kvm_t, container_engine_t; never set user or role.",
		Bad:   "spec:\n  securityContext:\n    seLinuxOptions:\n      type: spc_t\n  containers:\n  - name: app\n    image: app:1",
		Good:  "spec:\n  securityContext:\n    seLinuxOptions:\n      level: \"s0:c123,c456\"\n  containers:\n  - name: app\n    image: app:1"},
		Baseline, "seLinuxOptions", []string{"securityContext.seLinuxOptions"}, "securityContext.seLinuxOptions"),
	pss(rule.Rule{ID: "RT008", Severity: finding.High,
		Title: "Unmasked /proc (baseline)",
		Why:   "procMount: Unmasked exposes the parts of /proc that the runtime hides, which leak the node's state and can be used to escape. " + pssDoc("/proc Mount Type"),
		Fix:   "Remove procMount (Default).",
		Bad:   "spec:\n  containers:\n  - name: app\n    image: app:1\n    securityContext:\n      procMount: Unmasked",
		Good:  "spec:\n  containers:\n  - name: app\n    image: app:1\n    securityContext:\n      procMount: Default"},
		Baseline, "procMount", nil, "securityContext.procMount"),
	pss(rule.Rule{ID: "RT009", Severity: finding.High,
		Title: "Seccomp profile Unconfined (baseline)",
		Why:   "Seccomp filters the system calls a container may make; Unconfined lets it call anything the kernel offers. " + pssDoc("Seccomp"),
		Fix:   "Set seccompProfile.type to RuntimeDefault (or Localhost).",
		Bad:   "spec:\n  securityContext:\n    seccompProfile:\n      type: Unconfined\n  containers:\n  - name: app\n    image: app:1",
		Good:  "spec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  containers:\n  - name: app\n    image: app:1"},
		Baseline, "seccompProfile_baseline", []string{"securityContext.seccompProfile"}, "securityContext.seccompProfile"),
	pss(rule.Rule{ID: "RT010", Severity: finding.High,
		Title: "Sysctl outside the safe set (baseline)",
		Why:   "Only namespaced, isolated sysctls are safe to set per pod; others change the node's kernel for every pod on it. " + pssDoc("Sysctls"),
		Fix:   "Set only the safe sysctls (net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, ...).",
		Bad:   "spec:\n  securityContext:\n    sysctls:\n    - name: kernel.msgmax\n      value: \"65536\"\n  containers:\n  - name: app\n    image: app:1",
		Good:  "spec:\n  securityContext:\n    sysctls:\n    - name: net.ipv4.tcp_syncookies\n      value: \"1\"\n  containers:\n  - name: app\n    image: app:1"},
		Baseline, "sysctls", []string{"securityContext.sysctls"}, ""),
	pss(rule.Rule{ID: "RT011", Severity: finding.Critical,
		Title: "Windows HostProcess container (baseline)",
		Why:   "A Windows HostProcess container runs directly on the node, with the node's privileges. " + pssDoc("HostProcess"),
		Fix:   "Remove windowsOptions.hostProcess and hostNetwork.",
		Bad:   "spec:\n  securityContext:\n    windowsOptions:\n      hostProcess: true\n  containers:\n  - name: app\n    image: app:1",
		Good:  "spec:\n  containers:\n  - name: app\n    image: app:1"},
		Baseline, "windowsHostProcess", []string{"securityContext.windowsOptions.hostProcess"}, "securityContext.windowsOptions.hostProcess"),
	pss(rule.Rule{ID: "RT012", Severity: finding.Medium,
		Title: "Probe or lifecycle handler aimed at another host (baseline)",
		Why:   "A host in an httpGet or tcpSocket probe or lifecycle handler makes the kubelet connect wherever the manifest says: a server-side request forgery from the node. " + pssDoc("Probes / Lifecycle Hooks"),
		Fix:   "Remove host from probes and lifecycle handlers; they then target the pod.",
		Bad:   "spec:\n  containers:\n  - name: app\n    image: app:1\n    livenessProbe:\n      httpGet:\n        host: 169.254.169.254\n        path: /\n        port: 80",
		Good:  "spec:\n  containers:\n  - name: app\n    image: app:1\n    livenessProbe:\n      httpGet:\n        path: /healthz\n        port: 8080"},
		Baseline, "hostProbesAndHostLifecycle", nil, ""),

	pss(rule.Rule{ID: "RT020", Severity: finding.Medium,
		Title: "Volume type outside the restricted set (restricted)",
		Why:   "The restricted level allows only volume types that cannot reach the node or other tenants' storage directly: configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret, image. " + pssDoc("Volume Types"),
		Fix:   "Use one of the allowed volume types (a persistentVolumeClaim for storage).",
		Bad:   "spec:\n  volumes:\n  - name: data\n    nfs:\n      server: nfs.example.com\n      path: /data\n  containers:\n  - name: app\n    image: app:1",
		Good:  "spec:\n  volumes:\n  - name: data\n    persistentVolumeClaim:\n      claimName: data\n  containers:\n  - name: app\n    image: app:1"},
		Restricted, "restrictedVolumes", []string{"volumes"}, ""),
	pss(rule.Rule{ID: "RT021", Severity: finding.Medium, Aliases: []string{"privilegeEscalationAllowed"},
		Title: "Privilege escalation not disabled (restricted)",
		Why:   "Unless allowPrivilegeEscalation is false, a process can gain more privileges than its parent through setuid binaries or file capabilities. " + pssDoc("Privilege Escalation"),
		Fix:   "Set securityContext.allowPrivilegeEscalation: false in every container.",
		Bad:   "spec:\n  containers:\n  - name: app\n    image: app:1",
		Good:  "spec:\n  containers:\n  - name: app\n    image: app:1\n    securityContext:\n      allowPrivilegeEscalation: false"},
		Restricted, "allowPrivilegeEscalation", nil, "securityContext.allowPrivilegeEscalation"),
	pss(rule.Rule{ID: "RT022", Severity: finding.Medium, Aliases: []string{"runAsRootAllowed"},
		Title: "runAsNonRoot not required (restricted)",
		Why:   "With runAsNonRoot: true the kubelet refuses to start a container whose user is root, whatever the image says. " + pssDoc("Running as Non-root"),
		Fix:   "Set securityContext.runAsNonRoot: true on the pod (or every container).",
		Bad:   "spec:\n  containers:\n  - name: app\n    image: app:1",
		Good:  "spec:\n  securityContext:\n    runAsNonRoot: true\n  containers:\n  - name: app\n    image: app:1"},
		Restricted, "runAsNonRoot", []string{"securityContext.runAsNonRoot"}, "securityContext.runAsNonRoot"),
	pss(rule.Rule{ID: "RT023", Severity: finding.High, Aliases: []string{"container-security-context-user-group-id"},
		Title: "runAsUser 0 (restricted)",
		Why:   "runAsUser: 0 runs the container as root explicitly. " + pssDoc("Running as Non-root user"),
		Fix:   "Set runAsUser to a non-zero UID, or leave it to the image's non-root USER.",
		Bad:   "spec:\n  securityContext:\n    runAsUser: 0\n  containers:\n  - name: app\n    image: app:1",
		Good:  "spec:\n  securityContext:\n    runAsUser: 10001\n  containers:\n  - name: app\n    image: app:1"},
		Restricted, "runAsUser", []string{"securityContext.runAsUser"}, "securityContext.runAsUser"),
	pss(rule.Rule{ID: "RT024", Severity: finding.Medium,
		Title: "Seccomp profile not set to RuntimeDefault or Localhost (restricted)",
		Why:   "The restricted level requires a seccomp profile, so that a container cannot make the system calls the runtime's default profile blocks. " + pssDoc("Seccomp"),
		Fix:   "Set securityContext.seccompProfile.type: RuntimeDefault on the pod.",
		Bad:   "spec:\n  containers:\n  - name: app\n    image: app:1",
		Good:  "spec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  containers:\n  - name: app\n    image: app:1"},
		Restricted, "seccompProfile_restricted", []string{"securityContext.seccompProfile"}, "securityContext.seccompProfile"),
	pss(rule.Rule{ID: "RT025", Severity: finding.Medium,
		Title: "Capabilities not dropped (restricted)",
		Why:   "The restricted level requires every container to drop ALL capabilities and add back at most NET_BIND_SERVICE. " + pssDoc("Capabilities"),
		Fix:   "Set securityContext.capabilities.drop: [ALL] (and add: [NET_BIND_SERVICE] only if it binds a port below 1024).",
		Bad:   "spec:\n  containers:\n  - name: app\n    image: app:1",
		Good:  "spec:\n  containers:\n  - name: app\n    image: app:1\n    securityContext:\n      capabilities:\n        drop: [ALL]"},
		Restricted, "capabilities_restricted", nil, "securityContext.capabilities"),
	pss(rule.Rule{ID: "RT026", Severity: finding.Medium,
		Title: "/proc mount type other than Default (restricted)",
		Why:   "The restricted level requires the default, masked /proc in every container, also for pods in a user namespace. " + pssDoc("/proc Mount Type"),
		Fix:   "Remove procMount (Default).",
		Bad:   "spec:\n  hostUsers: false\n  containers:\n  - name: app\n    image: app:1\n    securityContext:\n      procMount: Unmasked",
		Good:  "spec:\n  hostUsers: false\n  containers:\n  - name: app\n    image: app:1"},
		Restricted, "procMount_restricted", nil, "securityContext.procMount"),
}
