/** Driver registry: the runner asks for a driver by the YAML `search.driver` name. */
import type { Driver, DriverContext } from '../driver.ts';
import type { Space } from '../space.ts';
import { GridDriver } from './grid.ts';
import { RandomDriver } from './random.ts';
import { LhsDriver } from './lhs.ts';
import { Nsga2Driver } from './nsga2.ts';

export type SearchConfig = Space['search'];

export function createDriver(search: SearchConfig, ctx: DriverContext): Driver {
  switch (search.driver) {
    case 'grid':
      return new GridDriver(ctx);
    case 'random':
      return new RandomDriver(ctx, search.samples ?? 100);
    case 'lhs':
      return new LhsDriver(ctx, { samples: search.samples ?? 100 });
    case 'nsga2':
      return new Nsga2Driver(ctx, { population: search.population ?? 40, generations: search.generations ?? 10 });
    default:
      throw new Error(`driver "${search.driver}" is not available in this build`);
  }
}
