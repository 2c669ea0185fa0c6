import { ControlTester } from '../../engine/control-tester.js';
import { resourceControlCases } from './__fixtures__/resource-cases.js';
import control from './pal-res-001-memory-limit.js';

// The cases are shared by the four resource controls; see __fixtures__/resource-cases.ts.
new ControlTester(control).run(resourceControlCases({ bound: 'limits', resource: 'memory', messageId: 'noMemoryLimit' }));
