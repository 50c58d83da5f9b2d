/** Driver registry: the runner asks for a driver by the YAML `search.driver` name. */
import type { Driver, DriverContext } from '../driver.ts';
import type { Space } from '../space.ts';
import { GridDriver } from './grid.ts';
import { RandomDriver } from './random.ts';

export type SearchConfig = Space['search'];

export function createDriver(search: SearchConfig, ctx: DriverContext): Driver {
  switch (search.driver) {
    case 'grid':
      return new GridDriver(ctx);
    case 'random':
      return new RandomDriver(ctx, search.samples ?? 100);
    default:
      throw new Error(`driver "${search.driver}" is not available in this build`);
  }
}
