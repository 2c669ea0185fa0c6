import { ControlTester } from '../../engine/control-tester.js';
import { probeControlCases } from './__fixtures__/probe-cases.js';
import control from './pal-pod-011-liveness-probe.js';

// The cases are shared with the other health-probe control; see __fixtures__/probe-cases.ts.
new ControlTester(control).run(probeControlCases('livenessProbe'));
