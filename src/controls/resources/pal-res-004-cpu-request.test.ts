import { ControlTester } from '../../engine/control-tester.js';
import { resourceControlCases } from './__fixtures__/resource-cases.js';
import control from './pal-res-004-cpu-request.js';

// The cases are shared by the four resource controls; see __fixtures__/resource-cases.ts.
new ControlTester(control).run(resourceControlCases({ bound: 'requests', resource: 'cpu', messageId: 'noCpuRequest' }));
