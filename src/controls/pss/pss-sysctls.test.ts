import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-sysctls.js';

const sysctlsPod = (names: string[]) => `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext:
    sysctls:
${names.map((n) => `      - {name: ${n}, value: "1"}`).join('\n')}
  containers: [{name: a, image: x}]
`;

new ControlTester(control).run({
  valid: [
    {
      name: 'the v1.0 safe set',
      settings: { pssVersion: 'v1.0' },
      yaml: sysctlsPod(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start']),
    },
    { settings: { pssVersion: 'v1.27' }, yaml: sysctlsPod(['net.ipv4.ip_local_reserved_ports']) },
    { settings: { pssVersion: 'v1.29' }, yaml: sysctlsPod(['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']) },
    { settings: { pssVersion: 'v1.32' }, yaml: sysctlsPod(['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']) },
    { settings: { pssVersion: 'latest' }, yaml: sysctlsPod(['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat']) },
  ],
  invalid: [
    {
      name: 'each addition is refused one version earlier',
      settings: { pssVersion: 'v1.26' },
      yaml: sysctlsPod(['net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_notsent_lowat']),
      errors: [
        { messageId: 'sysctl', path: 'spec.securityContext.sysctls[0].name', line: 8 },
        { messageId: 'sysctl', path: 'spec.securityContext.sysctls[1].name', line: 9 },
        { messageId: 'sysctl', path: 'spec.securityContext.sysctls[2].name', line: 10 },
        { messageId: 'sysctl', path: 'spec.securityContext.sysctls[3].name', line: 11 },
      ],
    },
    {
      name: 'v1.36 does not know the v1.37 additions',
      settings: { pssVersion: 'v1.36' },
      yaml: sysctlsPod(['net.ipv4.tcp_rmem', 'net.ipv4.tcp_slow_start_after_idle']),
      errors: [{ messageId: 'sysctl', path: 'spec.securityContext.sysctls[1].name' }],
    },
    {
      name: 'node-wide sysctls are never safe',
      yaml: sysctlsPod(['kernel.msgmax', 'net.core.somaxconn', 'vm.swappiness']),
      errors: [
        { messageId: 'sysctl', path: 'spec.securityContext.sysctls[0].name' },
        { messageId: 'sysctl', path: 'spec.securityContext.sysctls[1].name' },
        { messageId: 'sysctl', path: 'spec.securityContext.sysctls[2].name' },
      ],
    },
  ],
});
